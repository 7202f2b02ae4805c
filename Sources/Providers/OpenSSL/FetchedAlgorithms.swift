internal import CLibCrypto
import CryptoFramework

/// A message digest fetched once from the default library context (EVP_MD_fetch),
/// so hot paths skip the provider lookup an implicit fetch does on every call.
final class FetchedDigest: @unchecked Sendable {  // immutable; fetched EVP_MDs are reference-counted and thread-safe to use; the HMAC template is only ever duplicated; the pool is lock-free
    let pointer: OpaquePointer
    let hash: DigestAlgorithm
    /// The digest's block length in bytes (HMAC's padded key length).
    let blockLength: Int
    /// An EVP_MAC_CTX for HMAC with this digest already set, duplicated per
    /// stream (``OpenSSLHMACStream``): HMAC() would fetch the MAC and the
    /// digest by name on every call.
    let hmacTemplate: OpaquePointer
    /// Idle digest contexts for one-shot HMACs (``hmac(key:_:)``), each reset
    /// (its hash state freed with OPENSSL_clear_free) before it goes back.
    let contexts = ObjectPool<DigestScratch>(capacity: 16)

    init?(_ hash: DigestAlgorithm) {
        let name = FetchedDigest.openSSLName(hash)
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            OpenSSLFailure.clearErrorQueue()
            return nil
        }
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else {
            OpenSSLFailure.clearErrorQueue()
            EVP_MD_free(md)
            return nil
        }
        defer { EVP_MAC_free(mac) }  // the context keeps its own reference
        guard let template = EVP_MAC_CTX_new(mac) else {
            EVP_MD_free(md)
            return nil
        }
        let configured = OSSL_MAC_PARAM_DIGEST.withCString { key in
            name.withCString { value in
                var params = [
                    OSSL_PARAM_construct_utf8_string(key, UnsafeMutablePointer(mutating: value), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_MAC_CTX_set_params(template, &params)
            }
        }
        guard configured == 1 else {
            OpenSSLFailure.clearErrorQueue()
            EVP_MAC_CTX_free(template)
            EVP_MD_free(md)
            return nil
        }
        self.pointer = md
        self.hash = hash
        self.blockLength = Int(EVP_MD_get_block_size(md))
        self.hmacTemplate = template
    }

    deinit {
        EVP_MAC_CTX_free(hmacTemplate)
        EVP_MD_free(pointer)
    }

    static func openSSLName(_ hash: DigestAlgorithm) -> String {
        switch hash {
        case .md5: "MD5"
        case .sha1: "SHA1"
        case .sha224: "SHA2-224"
        case .sha256: "SHA2-256"
        case .sha384: "SHA2-384"
        case .sha512: "SHA2-512"
        }
    }
}

/// An EVP_MD_CTX kept in a ``FetchedDigest``'s pool between one-shot HMACs;
/// used by one thread at a time (the pool hands it out exclusively).
final class DigestScratch: @unchecked Sendable {
    let pointer: OpaquePointer

    init() throws {
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLFailure.error(.hostMemory, "EVP_MD_CTX_new") }
        pointer = context
    }

    deinit { EVP_MD_CTX_free(pointer) }
}

/// A block cipher mode fetched once (EVP_CIPHER_fetch).
final class FetchedCipher: @unchecked Sendable {  // immutable; fetched EVP_CIPHERs are reference-counted and thread-safe to use; the pool is lock-free
    let pointer: OpaquePointer
    let name: String
    let keyLength: Int
    let ivLength: Int
    let blockSize: Int
    /// Idle contexts for one-request calls (``crypt(encrypt:key:parameters:data:)``),
    /// each reset before it goes back.
    let contexts = ObjectPool<CipherScratch>(capacity: 16)

    init?(_ name: String) {
        guard let cipher = EVP_CIPHER_fetch(nil, name, nil) else {
            OpenSSLFailure.clearErrorQueue()
            return nil
        }
        self.pointer = cipher
        self.name = name
        self.keyLength = Int(EVP_CIPHER_get_key_length(cipher))
        self.ivLength = Int(EVP_CIPHER_get_iv_length(cipher))
        self.blockSize = Int(EVP_CIPHER_get_block_size(cipher))
    }

    deinit { EVP_CIPHER_free(pointer) }
}

/// Everything the provider fetches at start-up, by what requests name.
struct FetchedAlgorithms: Sendable {
    /// Indexed by position in `DigestAlgorithm.allCases` (no hashing per request).
    private let digests: [FetchedDigest?]
    /// The block-cipher modes by mechanism, then by key length in bytes.
    private let ciphers: [Mechanism: [Int: FetchedCipher]]

    /// libcrypto's names for the modes served, by key length in bytes.
    static let cipherNames: [Mechanism: [Int: String]] = {
        var names: [Mechanism: [Int: String]] = [:]
        for (mechanism, mode) in [(Mechanism.aesECB, "ECB"), (.aesCBC, "CBC"), (.aesCTR, "CTR"), (.aesGCM, "GCM")] {
            names[mechanism] = Dictionary(uniqueKeysWithValues: [16, 24, 32].map { ($0, "AES-\($0 * 8)-\(mode)") })
        }
        names[.des3ECB] = [24: "DES-EDE3-ECB"]
        names[.des3CBC] = [24: "DES-EDE3-CBC"]
        return names
    }()

    init() {
        self.digests = DigestAlgorithm.allCases.map { FetchedDigest($0) }
        self.ciphers = Self.cipherNames.mapValues { $0.compactMapValues(FetchedCipher.init) }
    }

    /// True when every algorithm the mechanism table promises was found.
    var isComplete: Bool {
        digests.allSatisfy { $0 != nil } && Self.cipherNames.allSatisfy { ciphers[$0.key]?.count == $0.value.count }
    }

    func digest(_ hash: HashAlgorithm) throws -> FetchedDigest { try digest(DigestAlgorithm(hash)) }

    func digest(_ algorithm: DigestAlgorithm) throws -> FetchedDigest {
        guard let md = digests[Self.index(algorithm)], md.hash == algorithm else {
            throw CryptoError(.providerFailed, "openssl: digest \(FetchedDigest.openSSLName(algorithm)) is not available in this libcrypto")
        }
        return md
    }

    /// The mode for `mechanism` with a `keyLength`-byte key.
    func cipher(_ mechanism: Mechanism, keyLength: Int) throws -> FetchedCipher {
        guard let lengths = Self.cipherNames[mechanism] else {
            throw CryptoError(.mechanismInvalid, "openssl does not serve \(mechanism)")
        }
        guard lengths[keyLength] != nil else {
            let allowed = lengths.keys.sorted().map(String.init).joined(separator: ", ")
            throw CryptoError(.keySizeRange, "\(mechanism) takes \(allowed)-byte keys, got \(keyLength) bytes")
        }
        guard let found = ciphers[mechanism]?[keyLength] else {
            throw CryptoError(.providerFailed, "openssl: \(lengths[keyLength]!) is not available in this libcrypto")
        }
        return found
    }

    private static func index(_ algorithm: DigestAlgorithm) -> Int {
        switch algorithm {
        case .md5: 0
        case .sha1: 1
        case .sha224: 2
        case .sha256: 3
        case .sha384: 4
        case .sha512: 5
        }
    }
}
