import CryptoFramework

/// The `gmp` software provider: RSA and DH over GMP (`mpz_powm_sec`), through
/// the framework's generic ``RSAAlgorithms`` and ``DHAlgorithms``.
public final class GMPProvider: CryptoProvider {
    /// RSA and DH key sizes served: GMP has no limit of its own; 16384 is the
    /// framework's largest modulus.
    static let keyBits = 512...16384

    /// The mechanism table (KCF `crypto_mech_info_t` as data).
    static let mechanisms: [MechanismInfo] = {
        let signatureMechanisms: [Mechanism] = [
            .rsaPKCS, .rsaX509, .rsaPKCSPSS,
            .sha1RSAPKCS, .sha224RSAPKCS, .sha256RSAPKCS, .sha384RSAPKCS, .sha512RSAPKCS,
            .sha1RSAPKCSPSS, .sha224RSAPKCSPSS, .sha256RSAPKCSPSS, .sha384RSAPKCSPSS, .sha512RSAPKCSPSS,
        ]
        func info(_ mechanism: Mechanism, _ flags: MechanismFlags) -> MechanismInfo {
            MechanismInfo(mechanism, minKeyBits: keyBits.lowerBound, maxKeyBits: keyBits.upperBound, flags: flags)
        }
        return signatureMechanisms.map { info($0, [.sign, .verify]) } + [
            info(.rsaPKCSKeyPairGen, .generateKeyPair),
            info(.dhPKCSKeyPairGen, .generateKeyPair),
            info(.dhPKCSDerive, .derive),
        ]
    }()

    public let descriptor = ProviderDescriptor(
        name: "gmp", summary: "GNU MP: RSA and Diffie-Hellman over mpz_powm_sec", mechanisms: GMPProvider.mechanisms)

    let rsa = RSAAlgorithms(engine: GMPEngine())
    let dh = DHAlgorithms(engine: GMPEngine())

    public init() {}

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        guard let info = descriptor.info(for: request.mechanism), info.flags.contains(request.requiredFlag) else {
            throw unsupported(request)
        }
        guard info.accepts(keyBits: request.keyBits) else {
            throw CryptoError(.keySizeRange,
                "gmp serves \(request.mechanism) with \(info.minKeyBits)...\(info.maxKeyBits)-bit keys, not \(request.keyBits ?? 0)")
        }
        switch request {
        case .sign(let mechanism, let key, let data, let pss):
            guard let scheme = RSAScheme(mechanism) else { throw unsupported(request) }
            return .bytes(try rsa.sign(
                scheme: scheme, key: key, data: data, pss: pss, hash: GMPDigest.digest, context: context))
        case .verify(let mechanism, let key, let data, let signature, let pss):
            guard let scheme = RSAScheme(mechanism) else { throw unsupported(request) }
            return .verified(try rsa.verify(
                scheme: scheme, key: key, data: data, signature: signature, pss: pss,
                hash: GMPDigest.digest, context: context))
        case .generateRSAKeyPair(let bits, let publicExponent):
            return .rsaKeyPair(try rsa.generateKeyPair(bits: bits, publicExponent: publicExponent, context: context))
        case .generateDHKeyPair(let group, let privateBits):
            return .dhKeyPair(try dh.generateKeyPair(group: group, privateBits: privateBits, context: context))
        case .deriveDH(let privateKey, let peerPublicValue):
            return .secret(try dh.derive(privateKey: privateKey, peerPublicValue: peerPublicValue, context: context))
        default:
            throw unsupported(request)
        }
    }
}
