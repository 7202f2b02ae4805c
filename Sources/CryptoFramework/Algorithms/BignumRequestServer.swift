/// Serves the RSA, DH and prime-curve EC requests of a provider whose
/// arithmetic is a ``BignumEngine``: the one switch from a request to the
/// generic algorithms. (The provider's mechanism table decides which of them
/// it offers; this serves whatever reaches it.)
public struct BignumRequestServer<Engine: BignumEngine>: Sendable {
    public let rsa: RSAAlgorithms<Engine>
    public let dh: DHAlgorithms<Engine>
    public let ec: ECAlgorithms<Engine>

    public init(engine: Engine) {
        rsa = RSAAlgorithms(engine: engine)
        dh = DHAlgorithms(engine: engine)
        ec = ECAlgorithms(engine: engine)
    }

    /// The result for an RSA, DH or EC request, hashing public data with
    /// `hash` and secret data (RFC 6979's HMAC, the ECDH KDF) with
    /// `secretHash`; nil for any other kind of request (the provider serves
    /// those itself, or not at all).
    public func serve(_ request: CryptoRequest, hash: HashFunction, secretHash: @escaping SecretHashFunction,
                      context: OperationContext) throws -> CryptoResult? {
        switch request {
        case .sign(let mechanism, let key, let data, let pss):
            guard let scheme = RSAScheme(mechanism) else { return nil }
            return .bytes(try rsa.sign(scheme: scheme, key: key, data: data, pss: pss, hash: hash, context: context))
        case .verify(let mechanism, let key, let data, let signature, let pss):
            guard let scheme = RSAScheme(mechanism) else { return nil }
            return .verified(try rsa.verify(
                scheme: scheme, key: key, data: data, signature: signature, pss: pss, hash: hash, context: context))
        case .encryptRSA(let mechanism, let key, let data, let oaep):
            return .bytes(try RSAEncryption.encrypt(
                mechanism, key: key, data: data, oaep: oaep,
                publicOperation: { try rsa.publicOperation(key: key, input: $0, context: context) },
                random: { try rsa.engine.randomBytes(count: $0) }, hash: hash))
        case .decryptRSA(let mechanism, let key, let data, let oaep):
            return .secret(try RSAEncryption.decrypt(
                mechanism, key: key, ciphertext: data, oaep: oaep, checkResult: !rsa.checksPrivateResults,
                privateOperation: { try rsa.privateOperation(key: key, input: $0, context: context) }, hash: hash))
        case .generateRSAKeyPair(let bits, let publicExponent):
            return .rsaKeyPair(try rsa.generateKeyPair(bits: bits, publicExponent: publicExponent, context: context))
        case .generateDHKeyPair(let group, let privateBits):
            return .dhKeyPair(try dh.generateKeyPair(group: group, privateBits: privateBits, context: context))
        case .deriveDH(let privateKey, let peerPublicValue):
            return .secret(try dh.derive(privateKey: privateKey, peerPublicValue: peerPublicValue, context: context))
        case .signEC(let mechanism, let key, let data):
            return .bytes(try ec.sign(mechanism, key: key, data: data, hash: hash, secretHash: secretHash, context: context))
        case .verifyEC(let mechanism, let key, let data, let signature):
            return .verified(try ec.verify(mechanism, key: key, data: data, signature: signature, hash: hash, context: context))
        case .generateECKeyPair(let curve):
            return .ecKeyPair(try ec.generateKeyPair(curve: curve, context: context))
        case .deriveECDH(let privateKey, let peerPublicValue, let parameters):
            return .secret(try ec.derive(
                privateKey: privateKey, peerPublicValue: peerPublicValue, parameters: parameters, secretHash: secretHash, context: context))
        case .digest, .mac, .encrypt, .decrypt, .random:
            return nil
        }
    }
}
