internal import CLibCrypto
import CryptoFramework

/// A message digest fetched once from the default library context (EVP_MD_fetch),
/// so hot paths skip the provider lookup an implicit fetch does on every call.
final class FetchedDigest: @unchecked Sendable {  // immutable; fetched EVP_MDs are reference-counted and thread-safe to use; the HMAC template is only ever duplicated
    let pointer: OpaquePointer
    let hash: HashAlgorithm
    /// An EVP_MAC_CTX for HMAC with this digest already set, duplicated per
    /// request: HMAC() would fetch the MAC and the digest by name on every call.
    let hmacTemplate: OpaquePointer

    init?(_ hash: HashAlgorithm) {
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
        self.hmacTemplate = template
    }

    deinit {
        EVP_MAC_CTX_free(hmacTemplate)
        EVP_MD_free(pointer)
    }

    static func openSSLName(_ hash: HashAlgorithm) -> String {
        switch hash {
        case .sha1: "SHA1"
        case .sha224: "SHA2-224"
        case .sha256: "SHA2-256"
        case .sha384: "SHA2-384"
        case .sha512: "SHA2-512"
        }
    }
}

/// A block cipher mode fetched once (EVP_CIPHER_fetch).
final class FetchedCipher: @unchecked Sendable {  // immutable; fetched EVP_CIPHERs are reference-counted and thread-safe to use
    let pointer: OpaquePointer
    let name: String
    let keyLength: Int
    let ivLength: Int
    let blockSize: Int

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
    /// Indexed by position in `HashAlgorithm.allCases` (no hashing per request).
    private let digests: [FetchedDigest?]
    /// AES-CBC by key length in bytes (16, 24, 32).
    let aesCBC: [Int: FetchedCipher]
    let des3CBC: FetchedCipher?

    init() {
        self.digests = HashAlgorithm.allCases.map { FetchedDigest($0) }
        var aes: [Int: FetchedCipher] = [:]
        for bytes in [16, 24, 32] { aes[bytes] = FetchedCipher("AES-\(bytes * 8)-CBC") }
        self.aesCBC = aes
        self.des3CBC = FetchedCipher("DES-EDE3-CBC")
    }

    /// True when every algorithm the mechanism table promises was found.
    var isComplete: Bool {
        digests.allSatisfy { $0 != nil } && aesCBC.count == 3 && des3CBC != nil
    }

    func digest(_ hash: HashAlgorithm) throws -> FetchedDigest {
        guard let md = digests[Self.index(hash)], md.hash == hash else {
            throw CryptoError(.providerFailed, "openssl: digest \(FetchedDigest.openSSLName(hash)) is not available in this libcrypto")
        }
        return md
    }

    private static func index(_ hash: HashAlgorithm) -> Int {
        switch hash {
        case .sha1: 0
        case .sha224: 1
        case .sha256: 2
        case .sha384: 3
        case .sha512: 4
        }
    }
}
