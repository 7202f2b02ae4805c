/// The on-curve test of an uncompressed prime-curve point on 64-bit limbs:
/// y² = x³ + ax + b (mod p) by Montgomery multiplication (CIOS, Koç, Acar and
/// Kaliski 1996) in a buffer on the stack, with no arbitrary-precision
/// integers and no heap allocation. Every ECDH request's peer point and every
/// imported public key pass through here (ECPointValidation.swift), so it
/// must cost little next to the scalar multiplication that follows: a few
/// hundred nanoseconds on P-256.
///
/// The values are public (a peer's point), so this is not constant time.
struct PrimeFieldCheck: Sendable {
    /// Limbs of a field element (4, 6 or 9), little-endian limb order.
    let limbs: Int
    let p: [UInt64]
    /// −p⁻¹ mod 2⁶⁴.
    let n0: UInt64
    /// R² mod p, R = 2^(64·limbs): montgomery(v, R²) = vR.
    let r2: [UInt64]
    /// aR and bR mod p.
    let aR: [UInt64]
    let bR: [UInt64]

    init(_ parameters: PrimeCurveParameters, r2: [UInt8]) {
        let limbs = (parameters.p.count + 7) / 8
        self.limbs = limbs
        p = Self.limbs(parameters.p, count: limbs)
        // Newton's iteration for p⁻¹ mod 2⁶⁴ (p is odd): each step doubles the correct bits.
        var inverse: UInt64 = 1
        for _ in 0..<6 { inverse = inverse &* (2 &- p[0] &* inverse) }
        n0 = 0 &- inverse
        self.r2 = Self.limbs(r2, count: limbs)
        var aR = [UInt64](repeating: 0, count: limbs), bR = aR
        let a = Self.limbs(parameters.a, count: limbs), b = Self.limbs(parameters.b, count: limbs)
        let (pp, rr, nn) = (p, self.r2, n0)
        pp.withUnsafeBufferPointer { p in
            rr.withUnsafeBufferPointer { r in
                a.withUnsafeBufferPointer { a in aR.withUnsafeMutableBufferPointer { Self.multiply(a, r, into: $0, p: p, n0: nn) } }
                b.withUnsafeBufferPointer { b in bR.withUnsafeMutableBufferPointer { Self.multiply(b, r, into: $0, p: p, n0: nn) } }
            }
        }
        self.aR = aR
        self.bR = bR
    }

    /// Big-endian bytes → `count` little-endian 64-bit limbs (bytes beyond fit are a caller error).
    static func limbs(_ bytes: some Collection<UInt8>, count: Int) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: count)
        for (i, byte) in bytes.reversed().enumerated() where i < 8 * count {
            out[i / 8] |= UInt64(byte) << (8 * (i % 8))
        }
        return out
    }

    /// The answer for the point x‖y (big-endian field elements of `fieldBytes` each, given as a slice of the encoding).
    enum Verdict { case onCurve, xNotBelowP, yNotBelowP, notOnCurve }

    func check(x xBytes: ArraySlice<UInt8>, y yBytes: ArraySlice<UInt8>) -> Verdict {
        let n = limbs
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 8 * n) { scratch in
            let x = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
            let y = UnsafeMutableBufferPointer(rebasing: scratch[n..<(2 * n)])
            let xm = UnsafeMutableBufferPointer(rebasing: scratch[(2 * n)..<(3 * n)])
            let ym = UnsafeMutableBufferPointer(rebasing: scratch[(3 * n)..<(4 * n)])
            let t = UnsafeMutableBufferPointer(rebasing: scratch[(4 * n)..<(5 * n)])
            let u = UnsafeMutableBufferPointer(rebasing: scratch[(5 * n)..<(6 * n)])
            Self.load(xBytes, into: x)
            Self.load(yBytes, into: y)
            return p.withUnsafeBufferPointer { p in
                guard Self.isLess(UnsafeBufferPointer(x), p) else { return .xNotBelowP }
                guard Self.isLess(UnsafeBufferPointer(y), p) else { return .yNotBelowP }
                r2.withUnsafeBufferPointer { r2 in
                    Self.multiply(UnsafeBufferPointer(x), r2, into: xm, p: p, n0: n0)  // xR
                    Self.multiply(UnsafeBufferPointer(y), r2, into: ym, p: p, n0: n0)  // yR
                }
                Self.multiply(UnsafeBufferPointer(ym), UnsafeBufferPointer(ym), into: y, p: p, n0: n0)  // y²R
                Self.multiply(UnsafeBufferPointer(xm), UnsafeBufferPointer(xm), into: t, p: p, n0: n0)  // x²R
                aR.withUnsafeBufferPointer { aR in
                    // x³ + ax = x(x² + a)
                    Self.add(t, aR, p: p)
                }
                Self.multiply(UnsafeBufferPointer(t), UnsafeBufferPointer(xm), into: u, p: p, n0: n0)  // (x³ + ax)R
                bR.withUnsafeBufferPointer { bR in Self.add(u, bR, p: p) }
                for i in 0..<n where y[i] != u[i] { return .notOnCurve }
                return .onCurve
            }
        }
    }

    static func load(_ bytes: ArraySlice<UInt8>, into out: UnsafeMutableBufferPointer<UInt64>) {
        for i in 0..<out.count { out[i] = 0 }
        var shift = 0, limb = 0
        var index = bytes.endIndex
        while index > bytes.startIndex {
            index -= 1
            out[limb] |= UInt64(bytes[index]) << shift
            shift += 8
            if shift == 64 { shift = 0; limb += 1 }
        }
    }

    static func isLess(_ a: UnsafeBufferPointer<UInt64>, _ b: UnsafeBufferPointer<UInt64>) -> Bool {
        var i = a.count
        while i > 0 {
            i -= 1
            if a[i] != b[i] { return a[i] < b[i] }
        }
        return false
    }

    /// a ← a + b mod p (a, b < p).
    static func add(_ a: UnsafeMutableBufferPointer<UInt64>, _ b: UnsafeBufferPointer<UInt64>, p: UnsafeBufferPointer<UInt64>) {
        var carry: UInt64 = 0
        for i in 0..<a.count {
            let (s1, o1) = a[i].addingReportingOverflow(b[i])
            let (s2, o2) = s1.addingReportingOverflow(carry)
            a[i] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        if carry != 0 || !isLess(UnsafeBufferPointer(a), p) { subtract(a, p) }
    }

    /// a ← a − b, dropping the final borrow.
    static func subtract(_ a: UnsafeMutableBufferPointer<UInt64>, _ b: UnsafeBufferPointer<UInt64>) {
        var borrow: UInt64 = 0
        for i in 0..<a.count {
            let (d1, o1) = a[i].subtractingReportingOverflow(b[i])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            a[i] = d2
            borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
    }

    /// out ← a·b·R⁻¹ mod p (CIOS, ``PublicMontgomeryModulus/montgomeryMultiply``), a, b < p; out may not alias a or b.
    static func multiply(_ a: UnsafeBufferPointer<UInt64>, _ b: UnsafeBufferPointer<UInt64>, into out: UnsafeMutableBufferPointer<UInt64>,
                         p: UnsafeBufferPointer<UInt64>, n0: UInt64) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: p.count + 2) { t in
            PublicMontgomeryModulus.montgomeryMultiply(a.baseAddress!, b.baseAddress!, into: out.baseAddress!, modulus: p.baseAddress!,
                                            count: p.count, n0: n0, scratch: t.baseAddress!)
        }
    }
}
