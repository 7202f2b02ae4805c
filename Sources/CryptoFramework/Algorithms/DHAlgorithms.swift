/// Finite-field Diffie-Hellman (PKCS #3, as IKE uses it) over any ``BignumEngine``.
public struct DHAlgorithms<Engine: BignumEngine>: Sendable {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    /// Shortest private value accepted: 160 bits, the smallest exponent
    /// PKCS #3 / IKEv1 implementations have used (2× the 80-bit strength of group 1).
    public static var minimumPrivateBits: Int { 160 }

    /// The private-value length for `group`: the group's default when
    /// `requested` is nil (twice its strength, RFC 3526 §8 — 132 bits for
    /// group 1, below the request minimum, which applies to callers' choices
    /// only). A request must be 160…bits(p) − 1, or exactly bits(p) (a
    /// full-length exponent); otherwise `argumentsBad`.
    public static func privateBits(for group: DHGroup, requested: Int?) throws -> Int {
        guard let bits = requested else { return group.defaultPrivateBits }
        guard bits == group.bits || (minimumPrivateBits..<group.bits).contains(bits) else {
            throw CryptoError(.argumentsBad,
                "DH private value of \(bits) bits for \(group): use \(minimumPrivateBits)...\(group.bits - 1) or \(group.bits)")
        }
        return bits
    }

    /// A key pair: x of exactly `privateBits` bits (top bit set; a full-length
    /// x is also kept below p − 1), y = g^x mod p left-padded to the length of p.
    public func generateKeyPair(group: DHGroup, privateBits requested: Int?, context: OperationContext) throws -> DHKeyPair {
        let bits = try Self.privateBits(for: group, requested: requested)
        let p = engine.number(bigEndian: group.prime)
        let pMinus1 = engine.subtract(p, engine.number(1))
        var x = try engine.random(bits: bits, topBits: 1)
        while engine.compare(x, pMinus1) >= 0 {  // only possible when bits == bits(p)
            x = try engine.random(bits: bits, topBits: 1)
        }
        let y = try engine.modExp(engine.number(bigEndian: group.generator), x, p, secret: true, context: context)
        return DHKeyPair(
            privateKey: DHPrivateKey(group: group, value: try engine.secureBytes(x, length: nil)),
            publicValue: try engine.bigEndianBytes(y, length: group.byteCount))
    }

    /// The shared secret z = y^x mod p with the peer's y, left-padded to the
    /// length of p. The peer value is range-checked first (2 ≤ y ≤ p − 2).
    public func derive(privateKey: DHPrivateKey, peerPublicValue: [UInt8], context: OperationContext) throws -> SecureBytes {
        let group = privateKey.group
        try DHRange.checkPeerValue(peerPublicValue, group: group)
        let p = engine.number(bigEndian: group.prime)
        let x = engine.number(secret: privateKey.value)
        guard engine.bitLength(x) > 0, engine.compare(x, p) < 0 else {
            throw CryptoError(.keyInvalid, "DH private value is outside 1...p−1 for \(group)")
        }
        let z = try engine.modExp(engine.number(bigEndian: peerPublicValue), x, p, secret: true, context: context)
        return try engine.secureBytes(z, length: group.byteCount)
    }
}
