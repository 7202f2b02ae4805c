internal import CLibCrypto
import CryptoFramework

/// CKM_RSA_PKCS_KEY_PAIR_GEN over EVP_PKEY_generate.
enum OpenSSLRSAKeyGeneration {
    /// F4, when the caller gives no exponent.
    static let defaultPublicExponent: [UInt8] = [0x01, 0x00, 0x01]

    static func generate(bits: Int, publicExponent: [UInt8]) throws -> RSAPrivateKey {
        let exponentBytes = publicExponent.isEmpty ? defaultPublicExponent : publicExponent
        guard let last = exponentBytes.last, last & 1 == 1, DHRange.compare(exponentBytes, [3]) >= 0 else {
            throw CryptoError(.mechanismParamInvalid, "RSA public exponent must be odd and at least 3")
        }
        let exponent = try BigNumber(exponentBytes)
        let context = try EVPKeyContext(algorithm: "RSA")
        try OpenSSLFailure.check(EVP_PKEY_keygen_init(context.pointer), "EVP_PKEY_keygen_init")
        try OpenSSLFailure.check(EVP_PKEY_CTX_set_rsa_keygen_bits(context.pointer, Int32(bits)), "EVP_PKEY_CTX_set_rsa_keygen_bits(\(bits))")
        try OpenSSLFailure.check(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(context.pointer, exponent.pointer), "EVP_PKEY_CTX_set1_rsa_keygen_pubexp")
        var generated: OpaquePointer? = nil
        guard EVP_PKEY_generate(context.pointer, &generated) == 1, let generated else {
            throw OpenSSLFailure.error(.providerFailed, "EVP_PKEY_generate (RSA \(bits) bits)")
        }
        let evp = EVPKey(owning: generated)

        // OSSL_PKEY_PARAM_RSA_* names (core_names.h).
        func secret(_ name: String) throws -> SecureBytes {
            try evp.bigNumberParameter(name, secret: true).secureBytes()
        }
        let key = try RSAPrivateKey(
            modulus: evp.bigNumberParameter("n", secret: false).bytes(),
            publicExponent: evp.bigNumberParameter("e", secret: false).bytes(),
            privateExponent: secret("d"),
            prime1: secret("rsa-factor1"), prime2: secret("rsa-factor2"),
            exponent1: secret("rsa-exponent1"), exponent2: secret("rsa-exponent2"),
            coefficient: secret("rsa-coefficient1"))
        // The generated EVP_PKEY is this key: cache it so the first sign does not re-import.
        _ = key.handles.handle(EVPKey.handleSlot) { evp }
        return key
    }
}
