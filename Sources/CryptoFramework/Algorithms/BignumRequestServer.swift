/// Serves the RSA and DH requests of a provider whose arithmetic is a
/// ``BignumEngine``: the one switch from a request to the generic algorithms.
public struct BignumRequestServer<Engine: BignumEngine>: Sendable {
    public let rsa: RSAAlgorithms<Engine>
    public let dh: DHAlgorithms<Engine>

    public init(engine: Engine) {
        rsa = RSAAlgorithms(engine: engine)
        dh = DHAlgorithms(engine: engine)
    }

    /// The result for an RSA or DH request, hashing with `hash`; nil for any
    /// other kind of request (the provider serves those itself, or not at all).
    public func serve(_ request: CryptoRequest, hash: HashFunction, context: OperationContext) throws -> CryptoResult? {
        switch request {
        case .sign(let mechanism, let key, let data, let pss):
            guard let scheme = RSAScheme(mechanism) else { return nil }
            return .bytes(try rsa.sign(scheme: scheme, key: key, data: data, pss: pss, hash: hash, context: context))
        case .verify(let mechanism, let key, let data, let signature, let pss):
            guard let scheme = RSAScheme(mechanism) else { return nil }
            return .verified(try rsa.verify(
                scheme: scheme, key: key, data: data, signature: signature, pss: pss, hash: hash, context: context))
        case .generateRSAKeyPair(let bits, let publicExponent):
            return .rsaKeyPair(try rsa.generateKeyPair(bits: bits, publicExponent: publicExponent, context: context))
        case .generateDHKeyPair(let group, let privateBits):
            return .dhKeyPair(try dh.generateKeyPair(group: group, privateBits: privateBits, context: context))
        case .deriveDH(let privateKey, let peerPublicValue):
            return .secret(try dh.derive(privateKey: privateKey, peerPublicValue: peerPublicValue, context: context))
        case .digest, .mac, .encrypt, .decrypt, .random, .signEC, .verifyEC, .generateECKeyPair, .deriveECDH:
            return nil
        }
    }
}
