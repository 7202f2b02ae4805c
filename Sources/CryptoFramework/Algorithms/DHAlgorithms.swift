/// Finite-field Diffie-Hellman (PKCS #3, as IKE uses it) over any ``BignumEngine``.
public struct DHAlgorithms<Engine: BignumEngine>: Sendable {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    /// A key pair: x of exactly `privateBits` bits (top bit set; a full-length
    /// x is also kept below p − 1), y = g^x mod p left-padded to the length of p.
    public func generateKeyPair(group: DHGroup, privateBits requested: Int?, context: OperationContext) throws -> DHKeyPair {
        let bits = try group.privateExponentBits(requested: requested)
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
