internal import CLibCrypto
import CryptoFramework

/// An owned EVP_PKEY, built once per key value and cached in its `handles`.
final class EVPKey: @unchecked Sendable {  // never mutated after import; OpenSSL 3 allows concurrent operations on a const EVP_PKEY
    let pointer: OpaquePointer
    /// Initialised signature contexts over this key, reused across operations.
    let contexts = EVPContextPool()

    init(owning pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { EVP_PKEY_free(pointer) }

    /// A fresh operation context over this key (one per sign/verify/derive).
    func makeContext() throws -> EVPKeyContext {
        try EVPKeyContext(owning: OpenSSLFailure.check(EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil), "EVP_PKEY_CTX_new_from_pkey"))
    }

    /// The BIGNUM parameter `name` (OSSL_PKEY_PARAM_*) of this key.
    func bigNumberParameter(_ name: String, secret: Bool) throws -> BigNumber {
        var bn: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(pointer, name, &bn) == 1, let bn else {
            throw OpenSSLFailure.error(.providerFailed, "EVP_PKEY_get_bn_param(\(name))")
        }
        return BigNumber(owning: bn, secret: secret)
    }
}

/// An owned EVP_PKEY_CTX.
final class EVPKeyContext: PooledContext, @unchecked Sendable {  // used by one thread at a time: EVPContextPool hands it out exclusively
    let pointer: OpaquePointer
    /// An ECDH derive context's peer key, reused from request to request: each
    /// request sets its own (validated) point into it, so no EVP_PKEY, EC group
    /// or key-management lookup is made per request. Holds no secret.
    var scratchPeer: EVPKey?
    /// The encoded point last set into ``scratchPeer`` and then made the
    /// context's peer; nil until that has succeeded. Public bytes.
    var scratchPeerPoint: [UInt8]?

    init(owning pointer: OpaquePointer) {
        self.pointer = pointer
        super.init()
    }

    /// A context for an algorithm by name ("RSA"), for key generation and import.
    convenience init(algorithm: String) throws {
        // withCString copies a small string ("EC") to the stack; passing the
        // String itself made an array of its UTF-8 per call.
        let made = algorithm.withCString { EVP_PKEY_CTX_new_from_name(nil, $0, nil) }
        self.init(owning: try OpenSSLFailure.check(made, "EVP_PKEY_CTX_new_from_name(\(algorithm))"))
    }

    deinit { EVP_PKEY_CTX_free(pointer) }
}

// OSSL_KEYMGMT_SELECT_* (core_dispatch.h); EVP_PKEY_PUBLIC_KEY / EVP_PKEY_KEYPAIR
// are composite macros Swift does not import.
let selectPublicKey = Int32(
    OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS | OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS | OSSL_KEYMGMT_SELECT_PUBLIC_KEY)
let selectKeyPair = selectPublicKey | Int32(OSSL_KEYMGMT_SELECT_PRIVATE_KEY)

extension EVPKey {
    /// The cache slot under which this provider keeps a key's EVP_PKEY.
    static let handleSlot = "openssl.evp"

    /// The private key's EVP_PKEY with all CRT components, imported on first use.
    static func rsa(_ key: RSAPrivateKey) throws -> EVPKey {
        try key.handles.handle(handleSlot) {
            // OSSL_PKEY_PARAM_RSA_* names (core_names.h); FACTOR1 etc. are built by
            // string-literal concatenation, which Swift does not import.
            try fromData(algorithm: "RSA", selection: selectKeyPair, [
                .bigNumber("n", BigNumber(key.modulus)),
                .bigNumber("e", BigNumber(key.publicExponent)),
                .bigNumber("d", BigNumber(key.privateExponent)),
                .bigNumber("rsa-factor1", BigNumber(key.prime1)),
                .bigNumber("rsa-factor2", BigNumber(key.prime2)),
                .bigNumber("rsa-exponent1", BigNumber(key.exponent1)),
                .bigNumber("rsa-exponent2", BigNumber(key.exponent2)),
                .bigNumber("rsa-coefficient1", BigNumber(key.coefficient)),
            ])
        }
    }

    /// One named component of a key for EVP_PKEY_fromdata. Names (and the
    /// UTF-8 values, curve names) are StaticStrings because OSSL_PARAM_BLD
    /// keeps the key pointer (not a copy) until OSSL_PARAM_BLD_to_param.
    enum Component {
        case bigNumber(StaticString, BigNumber)
        case utf8(StaticString, StaticString)
        /// Copied by the builder: public values only.
        case octets(StaticString, [UInt8])
    }

    /// EVP_PKEY_fromdata of `algorithm` ("RSA", "EC") over an OSSL_PARAM list built from `components`.
    static func fromData(algorithm: String, selection: Int32, _ components: [Component]) throws -> EVPKey {
        let builder = try OpenSSLFailure.check(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new")
        defer { OSSL_PARAM_BLD_free(builder) }
        func cString(_ name: StaticString) -> UnsafePointer<CChar> {
            UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)  // NUL-terminated, static
        }
        for component in components {
            switch component {
            case .bigNumber(let name, let value):
                try OpenSSLFailure.check(OSSL_PARAM_BLD_push_BN(builder, cString(name), value.pointer), "OSSL_PARAM_BLD_push_BN(\(name))")
            case .utf8(let name, let value):
                try OpenSSLFailure.check(
                    OSSL_PARAM_BLD_push_utf8_string(builder, cString(name), cString(value), value.utf8CodeUnitCount),
                    "OSSL_PARAM_BLD_push_utf8_string(\(name))")
            case .octets(let name, let value):
                let pushed = value.withUnsafeBytes { OSSL_PARAM_BLD_push_octet_string(builder, cString(name), $0.baseAddress, $0.count) }
                try OpenSSLFailure.check(pushed, "OSSL_PARAM_BLD_push_octet_string(\(name))")
            }
        }
        let params = try OpenSSLFailure.check(OSSL_PARAM_BLD_to_param(builder), "OSSL_PARAM_BLD_to_param")
        // The builder puts values of BN_FLG_SECURE (secret) bignums in a separate
        // block that OSSL_PARAM_free releases with OPENSSL_secure_clear_free.
        defer { OSSL_PARAM_free(params) }
        let context = try EVPKeyContext(algorithm: algorithm)
        try OpenSSLFailure.check(EVP_PKEY_fromdata_init(context.pointer), "EVP_PKEY_fromdata_init")
        var pkey: OpaquePointer? = nil
        guard EVP_PKEY_fromdata(context.pointer, &pkey, selection, params) == 1, let pkey else {
            throw OpenSSLFailure.error(.keyInvalid, "EVP_PKEY_fromdata (\(algorithm) key import)")
        }
        return EVPKey(owning: pkey)
    }
}
