/// What a multi-part operation computes, fixed when it begins (KCF's
/// `crypto_*_init`): the data then arrives in parts (``CryptoStream``).
public enum StreamRequest: Sendable {
    /// CKM_MD5, CKM_SHA_1 … : the digest at the end.
    case digest(Mechanism)
    /// CKM_*_HMAC: the full MAC at the end.
    case mac(Mechanism, key: SecureBytes)
    /// A block-cipher mode, as ``CryptoRequest/encrypt(_:key:parameters:data:)``.
    case encrypt(Mechanism, key: SecureBytes, parameters: CipherParameters)
    case decrypt(Mechanism, key: SecureBytes, parameters: CipherParameters)

    public var mechanism: Mechanism {
        switch self {
        case .digest(let m), .mac(let m, _), .encrypt(let m, _, _), .decrypt(let m, _, _): m
        }
    }

    /// The key's length in bytes (0 for a digest), what a cost model charges a key schedule by.
    public var keyByteCount: Int {
        switch self {
        case .digest: 0
        case .mac(_, let key), .encrypt(_, let key, _), .decrypt(_, let key, _): key.count
        }
    }

    /// The one-request form over the whole `data` (what a provider without a
    /// context is asked, and what selection and the counters read).
    public func request(data: [UInt8]) -> CryptoRequest {
        switch self {
        case .digest(let m): .digest(m, data: data)
        case .mac(let m, let key): .mac(m, key: key, data: SecureBytes(data))
        case .encrypt(let m, let key, let p): .encrypt(m, key: key, parameters: p, data: data)
        case .decrypt(let m, let key, let p): .decrypt(m, key: key, parameters: p, data: data)
        }
    }
}

/// A provider's context for one multi-part operation (KCF's `crypto_ctx_t`),
/// used by one caller at a time (``CryptoStream`` serializes it).
///
/// The framework hands a cipher context whole blocks only, for ECB and CBC;
/// CTR and GCM get any length and must return exactly as many bytes as they
/// were given. GCM decryption never reaches a context: its tag must be checked
/// before any plaintext leaves, so the framework gathers it (``CryptoStream``).
public protocol ProviderStream: AnyObject {
    /// Feeds `input`, returning the output it makes now (nothing for a digest or MAC).
    func update(_ input: [UInt8]) throws -> [UInt8]
    /// Ends the operation: the digest or MAC, or a cipher's last output (GCM: the tag).
    func finish() throws -> [UInt8]
}
