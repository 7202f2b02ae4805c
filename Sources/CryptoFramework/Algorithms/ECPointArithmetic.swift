/// The field operations one EC request performed, as a typed tally for cost
/// models (``ModeledWork``). Operations modulo p and modulo n are counted
/// together: on P-256, P-384 and P-521 the two have the same length. A
/// multiplication by the curve's b is a multiplication; a product of an
/// element with itself is a squaring (a software bignum squares in about
/// half the word products). Every multiplication and squaring is followed by
/// one reduction.
public struct ECFieldWork: WorkTally, Equatable, CustomStringConvertible {
    /// Products of two elements (squarings not included).
    public var multiplications = 0
    /// Products of an element with itself.
    public var squarings = 0
    /// Additions and subtractions.
    public var additions = 0
    /// Constant-time conditional swaps of one pair of elements.
    public var swaps = 0
    /// Fermat inversions (each one secret exponentiation by modulus − 2).
    public var inversions = 0

    public init() {}

    public init(multiplications: Int, squarings: Int = 0, additions: Int, swaps: Int, inversions: Int) {
        (self.multiplications, self.squarings, self.additions, self.swaps, self.inversions)
            = (multiplications, squarings, additions, swaps, inversions)
    }

    /// Multiplications and squarings: the products (and reductions) performed.
    public var products: Int { multiplications + squarings }

    public static func + (lhs: ECFieldWork, rhs: ECFieldWork) -> ECFieldWork {
        ECFieldWork(
            multiplications: lhs.multiplications + rhs.multiplications, squarings: lhs.squarings + rhs.squarings,
            additions: lhs.additions + rhs.additions, swaps: lhs.swaps + rhs.swaps, inversions: lhs.inversions + rhs.inversions)
    }

    /// Records the tally and its display counts (`ec.mul`, `ec.sqr`, `ec.add`, `ec.swap`, `ec.inv`).
    public func record(in context: OperationContext) {
        context.record(self)
        context.count("ec.mul", multiplications)
        context.count("ec.sqr", squarings)
        context.count("ec.add", additions)
        context.count("ec.swap", swaps)
        context.count("ec.inv", inversions)
    }

    public var description: String {
        "\(multiplications) mul, \(squarings) sqr, \(additions) add, \(swaps) swap, \(inversions) inv"
    }
}

/// Residues modulo one odd prime (p or n) on an engine, every operation counted.
/// One per request: the tally is not shared between threads.
struct CountedResidues<Engine: BignumEngine> {
    let engine: Engine
    let modulus: Engine.Number
    let tally: WorkCounter

    final class WorkCounter {
        var work = ECFieldWork()
    }

    func add(_ a: Engine.Number, _ b: Engine.Number) -> Engine.Number {
        tally.work.additions += 1
        return engine.fieldAdd(a, b, modulus: modulus)
    }

    func subtract(_ a: Engine.Number, _ b: Engine.Number) -> Engine.Number {
        tally.work.additions += 1
        return engine.fieldSubtract(a, b, modulus: modulus)
    }

    func multiply(_ a: Engine.Number, _ b: Engine.Number) -> Engine.Number {
        tally.work.multiplications += 1
        return engine.fieldMultiply(a, b, modulus: modulus)
    }

    func square(_ a: Engine.Number) -> Engine.Number {
        tally.work.squarings += 1
        return engine.fieldMultiply(a, a, modulus: modulus)
    }

    func inverse(_ a: Engine.Number, context: OperationContext) throws -> Engine.Number {
        tally.work.inversions += 1
        return try engine.fieldInverse(a, modulus: modulus, context: context)
    }

    func swap(_ bit: UInt8, _ a: Engine.Number, _ b: Engine.Number) -> (Engine.Number, Engine.Number) {
        tally.work.swaps += 1
        return engine.fieldSwap(bit, a, b, modulus: modulus)
    }
}

/// A point in projective coordinates (X:Y:Z), x = X/Z, y = Y/Z; the identity is (0:1:0).
struct ProjectivePoint<Number> {
    var x: Number
    var y: Number
    var z: Number
}

/// Point arithmetic on a short Weierstrass curve y² = x³ − 3x + b over F_p
/// (P-256, P-384, P-521), for one request.
///
/// - Addition and doubling are the complete, exception-free projective formulas
///   of Renes, Costello and Batina, "Complete addition formulas for prime order
///   elliptic curves" (EUROCRYPT 2016, ePrint 2015/1060), Algorithm 4 (addition,
///   a = −3: 12M + 2m_b + 29a) and Algorithm 6 (doubling, a = −3: 8M + 3S + 2m_b
///   + 21a). They hold for every pair of inputs, the identity and P + P
///   included, with the same sequence of field operations.
/// - Scalar multiplication is a Montgomery ladder over every bit of the scalar
///   held at the full length of n (leading zeros included), with one
///   conditional swap of the two points per bit, by the XOR of neighbouring
///   bits: the sequence of field operations is the same for every scalar, and
///   no branch or index depends on it. What each field operation costs is the
///   engine's business (``BignumEngine/fieldMultiply(_:_:modulus:)``).
struct ECPointArithmetic<Engine: BignumEngine> {
    typealias Number = Engine.Number
    typealias Point = ProjectivePoint<Number>

    let curve: ECCurve
    let field: CountedResidues<Engine>
    /// Residues modulo the group order n, counted into the same tally.
    let scalars: CountedResidues<Engine>
    let b: Number
    let generator: Point
    /// Length of field elements and scalars (both, on these curves), in bytes.
    let byteCount: Int

    init(curve: ECCurve, engine: Engine) throws {
        guard let parameters = curve.primeCurve else {
            throw CryptoError(.mechanismInvalid, "\(engine.identifier): the framework's EC algorithms serve P-256, P-384 and P-521, not \(curve)")
        }
        let tally = CountedResidues<Engine>.WorkCounter()
        self.curve = curve
        field = CountedResidues(engine: engine, modulus: engine.number(bigEndian: parameters.p), tally: tally)
        scalars = CountedResidues(engine: engine, modulus: engine.number(bigEndian: parameters.n), tally: tally)
        b = engine.number(bigEndian: parameters.b)
        generator = Point(x: engine.number(bigEndian: parameters.gx), y: engine.number(bigEndian: parameters.gy), z: engine.number(1))
        byteCount = curve.fieldByteCount
    }

    var engine: Engine { field.engine }
    var work: ECFieldWork { field.tally.work }

    var identity: Point { Point(x: engine.number(0), y: engine.number(1), z: engine.number(0)) }

    /// The affine point (x, y), both below p, as a projective point with Z = 1.
    func point(x: [UInt8], y: [UInt8]) -> Point {
        Point(x: engine.number(bigEndian: x), y: engine.number(bigEndian: y), z: engine.number(1))
    }

    /// The validated uncompressed point 04‖x‖y of a public key on this curve.
    func point(_ key: ECPublicKey) -> Point {
        point(x: key.x ?? [], y: key.y ?? [])
    }

    /// P + Q: RCB16 Algorithm 4 (a = −3), step for step.
    func add(_ p: Point, _ q: Point) -> Point {
        let f = field
        var t0 = f.multiply(p.x, q.x)
        var t1 = f.multiply(p.y, q.y)
        var t2 = f.multiply(p.z, q.z)
        var t3 = f.add(p.x, p.y)
        var t4 = f.add(q.x, q.y)
        t3 = f.multiply(t3, t4)
        t4 = f.add(t0, t1)
        t3 = f.subtract(t3, t4)
        t4 = f.add(p.y, p.z)
        var x3 = f.add(q.y, q.z)
        t4 = f.multiply(t4, x3)
        x3 = f.add(t1, t2)
        t4 = f.subtract(t4, x3)
        x3 = f.add(p.x, p.z)
        var y3 = f.add(q.x, q.z)
        x3 = f.multiply(x3, y3)
        y3 = f.add(t0, t2)
        y3 = f.subtract(x3, y3)
        var z3 = f.multiply(b, t2)
        x3 = f.subtract(y3, z3)
        z3 = f.add(x3, x3)
        x3 = f.add(x3, z3)
        z3 = f.subtract(t1, x3)
        x3 = f.add(t1, x3)
        y3 = f.multiply(b, y3)
        t1 = f.add(t2, t2)
        t2 = f.add(t1, t2)
        y3 = f.subtract(y3, t2)
        y3 = f.subtract(y3, t0)
        t1 = f.add(y3, y3)
        y3 = f.add(t1, y3)
        t1 = f.add(t0, t0)
        t0 = f.add(t1, t0)
        t0 = f.subtract(t0, t2)
        t1 = f.multiply(t4, y3)
        t2 = f.multiply(t0, y3)
        y3 = f.multiply(x3, z3)
        y3 = f.add(y3, t2)
        x3 = f.multiply(t3, x3)
        x3 = f.subtract(x3, t1)
        z3 = f.multiply(t4, z3)
        t1 = f.multiply(t3, t0)
        z3 = f.add(z3, t1)
        return Point(x: x3, y: y3, z: z3)
    }

    /// 2P: RCB16 Algorithm 6 (a = −3), step for step.
    func double(_ p: Point) -> Point {
        let f = field
        var t0 = f.square(p.x)
        let t1 = f.square(p.y)
        var t2 = f.square(p.z)
        var t3 = f.multiply(p.x, p.y)
        t3 = f.add(t3, t3)
        var z3 = f.multiply(p.x, p.z)
        z3 = f.add(z3, z3)
        var y3 = f.multiply(b, t2)
        y3 = f.subtract(y3, z3)
        var x3 = f.add(y3, y3)
        y3 = f.add(x3, y3)
        x3 = f.subtract(t1, y3)
        y3 = f.add(t1, y3)
        y3 = f.multiply(x3, y3)
        x3 = f.multiply(x3, t3)
        t3 = f.add(t2, t2)
        t2 = f.add(t2, t3)
        z3 = f.multiply(b, z3)
        z3 = f.subtract(z3, t2)
        z3 = f.subtract(z3, t0)
        t3 = f.add(z3, z3)
        z3 = f.add(z3, t3)
        t3 = f.add(t0, t0)
        t0 = f.add(t3, t0)
        t0 = f.subtract(t0, t2)
        t0 = f.multiply(t0, z3)
        y3 = f.add(y3, t0)
        t0 = f.multiply(p.y, p.z)
        t0 = f.add(t0, t0)
        z3 = f.multiply(t0, z3)
        x3 = f.subtract(x3, z3)
        z3 = f.multiply(t0, t1)
        z3 = f.add(z3, z3)
        z3 = f.add(z3, z3)
        return Point(x: x3, y: y3, z: z3)
    }

    /// (Q, P) when `bit` is 1, (P, Q) when 0: three constant-time element swaps.
    func swap(_ bit: UInt8, _ p: Point, _ q: Point) -> (Point, Point) {
        let (px, qx) = field.swap(bit, p.x, q.x)
        let (py, qy) = field.swap(bit, p.y, q.y)
        let (pz, qz) = field.swap(bit, p.z, q.z)
        return (Point(x: px, y: py, z: pz), Point(x: qx, y: qy, z: qz))
    }

    /// k·P by the Montgomery ladder, k big-endian and exactly ``byteCount``
    /// bytes (the caller pads): 8 × byteCount ladder steps, each one addition,
    /// one doubling and one swap, whatever k is. k may be 0 or any value below
    /// 2^(8·byteCount): the formulas are complete.
    func multiply(_ p: Point, by scalar: SecureBytes) -> Point {
        precondition(scalar.count == byteCount, "the ladder takes scalars padded to \(byteCount) bytes")
        var r0 = identity
        var r1 = p
        var previous: UInt8 = 0
        scalar.withUnsafeBytes { bytes in
            for byte in bytes {
                for shift in stride(from: 7, through: 0, by: -1) {
                    let bit = (byte >> UInt8(shift)) & 1
                    (r0, r1) = swap(bit ^ previous, r0, r1)
                    previous = bit
                    r1 = add(r0, r1)
                    r0 = double(r0)
                }
            }
        }
        (r0, _) = swap(previous, r0, r1)
        return r0
    }

    /// The affine coordinates of `p`, each ``byteCount`` bytes, or nil for the
    /// identity (Z = 0). One Fermat inversion of Z.
    func affine(_ p: Point, context: OperationContext) throws -> (x: Number, y: Number)? {
        guard engine.bitLength(p.z) > 0 else { return nil }
        let zInverse = try field.inverse(p.z, context: context)
        return (field.multiply(p.x, zInverse), field.multiply(p.y, zInverse))
    }

    /// The uncompressed encoding 04‖x‖y of an affine point.
    func encoded(_ affine: (x: Number, y: Number)) throws -> [UInt8] {
        try [0x04] + engine.bigEndianBytes(affine.x, length: byteCount) + engine.bigEndianBytes(affine.y, length: byteCount)
    }

    /// Hands this request's field work to the engine (which records or charges it).
    func account(context: OperationContext) {
        engine.account(work, context: context)
    }
}
