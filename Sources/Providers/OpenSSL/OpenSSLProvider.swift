internal import CLibCrypto
import CryptoFramework
import Synchronization

/// The `openssl` software provider: the host's libcrypto (OpenSSL 3) serving
/// RSA, Diffie-Hellman, ECDSA and ECDH on P-256/384/521, Ed25519, X25519,
/// MD5 and SHA digests, HMAC, AES-ECB/CBC/CTR/GCM and 3DES-ECB/CBC.
public final class OpenSSLProvider: CryptoProvider {
    public let descriptor: ProviderDescriptor

    private let algorithms: FetchedAlgorithms
    /// Scratch bignums for RSA verification (``OpenSSLRSAPublicOperation``).
    private let publicScratch = ObjectPool<OpenSSLRSAPublicOperation.Scratch>(capacity: 16)
    /// Per-group p, g and Montgomery context, built on first use.
    private let dhGroups = Locked<[DHGroup: DHGroupContext]>([:])

    public init() {
        descriptor = ProviderDescriptor(
            name: "openssl", kind: .software,
            summary: "libcrypto \(OpenSSLProvider.libraryVersion): RSA, Diffie-Hellman, ECDSA, ECDH, Ed25519, X25519, MD5, SHA-1/SHA-2, HMAC, AES-ECB/CBC/CTR/GCM, 3DES-ECB/CBC",
            mechanisms: OpenSSLMechanisms.table)
        algorithms = FetchedAlgorithms()
        isFailed = !algorithms.isComplete
    }

    /// FAILED when libcrypto lacks an algorithm the table promises (e.g. a FIPS-only configuration without SHA-1).
    public let isFailed: Bool

    /// The linked libcrypto's version text ("OpenSSL 3.0.13 30 Jan 2024").
    static var libraryVersion: String {
        guard let text = OpenSSL_version(OPENSSL_VERSION) else { return "OpenSSL" }
        return String(cString: text)
    }

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        _ = try tableEntry(for: request)
        switch request {
        case .sign(let mechanism, let key, let data, let pss):
            guard let scheme = RSAScheme(mechanism) else { throw unsupported(request) }
            return .bytes(try rsa.sign(scheme, key: key, data: data, pss: pss))
        case .verify(let mechanism, let key, let data, let signature, let pss):
            guard let scheme = RSAScheme(mechanism) else { throw unsupported(request) }
            return .verified(try rsa.verify(scheme, key: key, data: data, signature: signature, pss: pss))
        case .digest(let mechanism, let data):
            guard let hash = DigestAlgorithm(digestMechanism: mechanism) else { throw unsupported(request) }
            return .bytes(try algorithms.digest(hash).digest(data))
        case .mac(let mechanism, let key, let data):
            guard let hash = DigestAlgorithm(hmacMechanism: mechanism) else { throw unsupported(request) }
            return .secret(try algorithms.digest(hash).hmac(key: key, data))
        case .encrypt(let mechanism, let key, let parameters, let data) where AESKeyWrap.mechanisms.contains(mechanism):
            return .bytes(try OpenSSLKeyWrap.crypt(mechanism, wrap: true, key: key, iv: parameters.ivBytes, data: data))
        case .decrypt(let mechanism, let key, let parameters, let data) where AESKeyWrap.mechanisms.contains(mechanism):
            return .bytes(try OpenSSLKeyWrap.crypt(mechanism, wrap: false, key: key, iv: parameters.ivBytes, data: data))
        case .encrypt(let mechanism, let key, let parameters, let data):
            try CipherRules.checkData(mechanism, parameters, count: data.count, encrypting: true)
            return .bytes(try algorithms.cipher(mechanism, keyLength: key.count).crypt(encrypt: true, key: key, parameters: parameters, data: data))
        case .decrypt(let mechanism, let key, let parameters, let data):
            try CipherRules.checkData(mechanism, parameters, count: data.count, encrypting: false)
            return .bytes(try algorithms.cipher(mechanism, keyLength: key.count).crypt(encrypt: false, key: key, parameters: parameters, data: data))
        case .encryptRSA(let mechanism, let key, let data, let oaep):
            // The padding is the framework's (one answer on every provider); s^e on libcrypto's Montgomery arithmetic.
            let operation = try OpenSSLRSAPublicOperation.of(key, scratch: publicScratch)
            return .bytes(try RSAEncryption.encrypt(
                mechanism, key: key, data: data, oaep: oaep,
                publicOperation: { try operation.apply($0, scratch: publicScratch) },
                random: { count in try SecureBytes(count: count) { try OpenSSLRandom.fill($0) } },
                hash: { hash, bytes in try algorithms.digest(hash).digest(bytes) }))
        case .decryptRSA(let mechanism, let key, let data, let oaep):
            // c^d mod n is EVP_PKEY_sign with RSA_NO_PADDING: blinded and constant-time in
            // libcrypto, whose CRT result is verified by libcrypto itself (rsa_ossl_mod_exp
            // recomputes r^e mod n and falls back when it differs), so no second check here.
            // libcrypto's own PKCS#1 v1.5 unpadding is not used: OpenSSL 3.0 has no implicit
            // rejection and its error would differ from the other providers'.
            let rsa = self.rsa
            return .secret(try RSAEncryption.decrypt(
                mechanism, key: key, ciphertext: data, oaep: oaep, checkResult: false,
                privateOperation: { try rsa.sign(.raw, key: key, data: $0, pss: nil) },
                hash: { hash, bytes in try algorithms.digest(hash).digest(bytes) }))
        case .generateRSAKeyPair(let bits, let publicExponent):
            return .rsaKeyPair(try OpenSSLRSAKeyGeneration.generate(bits: bits, publicExponent: publicExponent))
        case .generateDHKeyPair(let group, let privateBits):
            return .dhKeyPair(try OpenSSLDiffieHellman.generate(groupContext(group), privateBits: privateBits))
        case .deriveDH(let privateKey, let peerPublicValue):
            return .secret(try OpenSSLDiffieHellman.derive(groupContext(privateKey.group), privateKey: privateKey, peer: peerPublicValue))
        case .signEC(let mechanism, let key, let data):
            return .bytes(try OpenSSLECSignature(algorithms: algorithms).sign(mechanism, key: key, data: data))
        case .verifyEC(let mechanism, let key, let data, let signature):
            return .verified(try OpenSSLECSignature(algorithms: algorithms).verify(mechanism, key: key, data: data, signature: signature))
        case .generateECKeyPair(let curve):
            return .ecKeyPair(try OpenSSLECKeyGeneration.generate(curve))
        case .deriveECDH(let privateKey, let peerPublicValue, let parameters):
            return .secret(try OpenSSLECDH(algorithms: algorithms).derive(
                privateKey: privateKey, peerPublicValue: peerPublicValue, parameters: parameters,
                inputsChecked: context.inputsChecked))
        case .random:
            throw unsupported(request)
        }
    }

    /// RSA signing and verification over this provider's fetched algorithms and
    /// scratch (made per RSA request, not for every request).
    private var rsa: OpenSSLRSASignature { OpenSSLRSASignature(algorithms: algorithms, publicScratch: publicScratch) }

    /// Digests, HMACs and every cipher mode but GCM decryption (whose tag the
    /// framework checks before release, so it comes in one request) run as
    /// libcrypto contexts fed part by part.
    public func beginStream(_ request: StreamRequest, context: OperationContext) throws -> (any ProviderStream)? {
        _ = try tableEntry(for: request.request(data: []))
        switch request {
        case .digest(let mechanism):
            guard let hash = DigestAlgorithm(digestMechanism: mechanism) else { return nil }
            return try OpenSSLDigestStream(algorithms.digest(hash))
        case .mac(let mechanism, let key):
            guard let hash = DigestAlgorithm(hmacMechanism: mechanism) else { return nil }
            return try OpenSSLHMACStream(algorithms.digest(hash), key: key)
        case .encrypt(let mechanism, let key, let parameters):
            try CipherRules.checkParameters(mechanism, parameters)
            let cipher = try algorithms.cipher(mechanism, keyLength: key.count)
            return OpenSSLCipherStream(try CipherContext(cipher, encrypting: true, key: key, parameters: parameters))
        case .decrypt(let mechanism, let key, let parameters):
            try CipherRules.checkParameters(mechanism, parameters)
            if case .gcm = parameters { return nil }
            let cipher = try algorithms.cipher(mechanism, keyLength: key.count)
            return OpenSSLCipherStream(try CipherContext(cipher, encrypting: false, key: key, parameters: parameters))
        }
    }

    private func groupContext(_ group: DHGroup) throws -> DHGroupContext {
        if let known = dhGroups.withLock({ $0[group] }) { return known }
        let made = try DHGroupContext(group)
        return dhGroups.withLock { groups in
            if let raced = groups[group] { return raced }
            groups[group] = made
            return made
        }
    }
}
