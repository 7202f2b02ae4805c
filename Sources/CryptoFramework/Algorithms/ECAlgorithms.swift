/// ECDSA, ECDH and key-pair generation on P-256, P-384 and P-521 over any
/// ``BignumEngine`` (SEC 1 v2), on ``ECPointArithmetic``'s complete formulas
/// and constant-time ladder. Inputs are held to ``ECInputRules`` as every
/// provider's are. Every request's field operations are handed to the engine
/// (``BignumEngine/account(_:context:)``), so an engine with a cost model
/// charges exact counts.
///
/// Nonces are deterministic (RFC 6979): the same key and message give the same
/// signature, which makes them reproducible and testable against RFC 6979's
/// appendix A.2.5–A.2.7.
public struct ECAlgorithms<Engine: BignumEngine>: Sendable {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    /// Key-handle slot recording that a private key's public key was checked against it.
    public var handleSlot: String { "\(engine.identifier).ec" }

    // MARK: ECDSA (SEC 1 v2 §4.1)

    /// r‖s, each half as long as the field, over the caller's hash (CKM_ECDSA)
    /// or the mechanism's hash of `data` (CKM_ECDSA_SHA*).
    public func sign(_ mechanism: Mechanism, key: ECPrivateKey, data: [UInt8], hash: HashFunction,
                     secretHash: @escaping SecretHashFunction, context: OperationContext) throws -> [UInt8] {
        let scheme = try ECInputRules.checkSign(mechanism, curve: key.curve)
        let arithmetic = try ECPointArithmetic(curve: key.curve, engine: engine)
        defer { arithmetic.account(context: context) }
        try checkPublicKey(of: key, arithmetic, context: context)
        let (digest, nonceHash) = try messageHash(scheme, data: data, curve: key.curve, hash: hash)
        let n = arithmetic.scalars
        let orderBits = engine.bitLength(n.modulus)
        let truncated = try DeterministicNonce.bits2int(SecureBytes(digest), bits: orderBits)
        let e = engine.remainder(engine.number(secret: truncated), n.modulus)  // bits2octets's reduction too: e < 2n
        let d = engine.number(secret: key.scalar)
        var nonces = try DeterministicNonce(
            algorithm: nonceHash, hash: secretHash, order: key.curve.primeCurve!.n, orderBits: orderBits,
            x: key.scalar, h1: try engine.secureBytes(e, length: arithmetic.byteCount))
        while true {
            let k = try nonces.next()
            if let point = try arithmetic.affine(arithmetic.multiply(arithmetic.generator, by: k), context: context) {
                let r = engine.remainder(point.x, n.modulus)
                if engine.bitLength(r) > 0 {
                    let kInverse = try n.inverse(engine.number(secret: k), context: context)
                    let s = n.multiply(kInverse, n.add(e, n.multiply(r, d)))
                    if engine.bitLength(s) > 0 {
                        return try engine.bigEndianBytes(r, length: arithmetic.byteCount)
                            + engine.bigEndianBytes(s, length: arithmetic.byteCount)
                    }
                }
            }
            try nonces.reject()  // r = 0 or s = 0 (RFC 6979 §3.4); probability about 2⁻²⁵⁶
        }
    }

    /// Whether r‖s is a signature of the data under `key`. Out-of-range r or s
    /// is `false`, a signature of the wrong length `signatureLengthRange`.
    public func verify(_ mechanism: Mechanism, key: ECPublicKey, data: [UInt8], signature: [UInt8],
                       hash: HashFunction, context: OperationContext) throws -> Bool {
        let scheme = try ECInputRules.checkVerify(mechanism, curve: key.curve, signature: signature)
        guard ECInputRules.hasIntegersInRange(signature, curve: key.curve) else { return false }
        let arithmetic = try ECPointArithmetic(curve: key.curve, engine: engine)
        defer { arithmetic.account(context: context) }
        let n = arithmetic.scalars
        let (digest, _) = try messageHash(scheme, data: data, curve: key.curve, hash: hash)
        let truncated = try DeterministicNonce.bits2int(SecureBytes(digest), bits: engine.bitLength(n.modulus))
        let e = engine.remainder(engine.number(secret: truncated), n.modulus)
        let half = arithmetic.byteCount
        let r = engine.number(bigEndian: Array(signature[..<half]))
        let s = engine.number(bigEndian: Array(signature[half...]))
        let w = try n.inverse(s, context: context)
        let u1 = try engine.secureBytes(n.multiply(e, w), length: half)
        let u2 = try engine.secureBytes(n.multiply(r, w), length: half)
        let sum = arithmetic.add(
            arithmetic.multiply(arithmetic.generator, by: u1), arithmetic.multiply(arithmetic.point(key), by: u2))
        guard let point = try arithmetic.affine(sum, context: context) else { return false }
        return engine.compare(engine.remainder(point.x, n.modulus), r) == 0
    }

    /// The hash the signature covers and the hash RFC 6979's generator runs
    /// on: the mechanism's; for CKM_ECDSA the hash whose length the data has,
    /// else the curve's own (SHA-256, SHA-384, SHA-512 for P-256, P-384, P-521).
    private func messageHash(_ scheme: ECSignatureScheme, data: [UInt8], curve: ECCurve, hash: HashFunction) throws -> ([UInt8], HashAlgorithm) {
        switch scheme {
        case .ecdsaHashed(let algorithm):
            return (try hash(algorithm, data), algorithm)
        case .ecdsa:
            return (data, HashAlgorithm(digestLength: data.count) ?? Self.nonceHash(for: curve))
        case .eddsa:
            throw CryptoError(.mechanismInvalid, "\(engine.identifier): CKM_EDDSA is not among the framework's EC algorithms")
        }
    }

    static func nonceHash(for curve: ECCurve) -> HashAlgorithm {
        switch curve.fieldByteCount {
        case ...32: .sha256
        case ...48: .sha384
        default: .sha512
        }
    }

    // MARK: Key pairs and ECDH

    /// d uniform in 1...n−1 from the engine's random source (rejection
    /// sampling), Q = d·G.
    public func generateKeyPair(curve: ECCurve, context: OperationContext) throws -> ECPrivateKey {
        let arithmetic = try ECPointArithmetic(curve: curve, engine: engine)
        defer { arithmetic.account(context: context) }
        var d = try engine.random(below: arithmetic.scalars.modulus)
        while engine.bitLength(d) == 0 { d = try engine.random(below: arithmetic.scalars.modulus) }
        let scalar = try engine.secureBytes(d, length: arithmetic.byteCount)
        let publicKey = try ECPublicKey(curve: curve, point: publicPoint(of: scalar, arithmetic, context: context))
        let key = try ECPrivateKey(curve: curve, scalar: scalar, publicKey: publicKey)
        _ = key.handles.handle(handleSlot) { true }  // computed here: nothing to check
        return key
    }

    /// CKM_ECDH1_DERIVE: Z = x(d·Q) (SEC 1 §3.3.1), as long as the field, through
    /// the parameters' KDF (``ECDHKeyDerivation``).
    public func derive(privateKey: ECPrivateKey, peerPublicValue: [UInt8], parameters: ECDHParameters,
                       secretHash: SecretHashFunction, context: OperationContext) throws -> SecureBytes {
        let peer = try ECInputRules.checkDerive(privateKey: privateKey, peerPublicValue: peerPublicValue, parameters: parameters)
        let arithmetic = try ECPointArithmetic(curve: privateKey.curve, engine: engine)
        defer { arithmetic.account(context: context) }
        try checkPublicKey(of: privateKey, arithmetic, context: context)
        // Q is on the curve (checkDerive) and the group has prime order, so d·Q with d in 1...n−1 is never the identity.
        guard let point = try arithmetic.affine(arithmetic.multiply(arithmetic.point(peer), by: privateKey.scalar), context: context) else {
            throw CryptoError(.dataInvalid, "\(privateKey.curve) ECDH gave the point at infinity")
        }
        let z = try engine.secureBytes(point.x, length: arithmetic.byteCount)
        try ECInputRules.checkSharedSecret(z, curve: privateKey.curve)
        return try ECDHKeyDerivation.derive(z, parameters: parameters, hash: secretHash)
    }

    // MARK: Keys

    /// 04‖x‖y of d·G.
    private func publicPoint(of scalar: SecureBytes, _ arithmetic: ECPointArithmetic<Engine>, context: OperationContext) throws -> [UInt8] {
        guard let point = try arithmetic.affine(arithmetic.multiply(arithmetic.generator, by: scalar), context: context) else {
            throw CryptoError(.keyInvalid, "\(arithmetic.curve) private key is a multiple of n")
        }
        return try arithmetic.encoded(point)
    }

    /// A private key that carries its public key is checked once (cached in its
    /// handles) to belong to it, as openssl's pairwise check does, with the
    /// same error (``ECInputRules/publicKeyMismatch(_:)``).
    private func checkPublicKey(of key: ECPrivateKey, _ arithmetic: ECPointArithmetic<Engine>, context: OperationContext) throws {
        guard let publicKey = key.publicKey else { return }
        _ = try key.handles.handle(handleSlot) {
            guard try publicPoint(of: key.scalar, arithmetic, context: context) == publicKey.point else {
                throw ECInputRules.publicKeyMismatch(key.curve)
            }
            return true
        }
    }
}
