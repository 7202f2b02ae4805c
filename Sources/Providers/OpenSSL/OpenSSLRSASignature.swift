internal import CLibCrypto
import CryptoFramework

/// RSA signatures for every ``RSAScheme`` over EVP_PKEY_sign / EVP_PKEY_verify.
/// libcrypto's RSA private operation is blinded and constant-time by default;
/// nothing here turns that off.
struct OpenSSLRSASignature {
    let algorithms: FetchedAlgorithms

    /// What goes into EVP_PKEY_sign/verify and how the context is set up.
    private struct Plan {
        var padding: Int32
        /// The bytes handed to libcrypto: a digest, PKCS#1 input, or a full-length block.
        var input: [UInt8]
        var signatureDigest: FetchedDigest? = nil
        var pss: (mgf1: FetchedDigest, saltLength: Int32)? = nil

        func setup(_ operation: RSAContextSetup.Operation) -> RSAContextSetup {
            RSAContextSetup(
                operation: operation, padding: padding, signatureDigest: signatureDigest?.hash,
                mgf1Digest: pss?.mgf1.hash, saltLength: pss?.saltLength)
        }
    }

    func sign(_ scheme: RSAScheme, key: RSAPrivateKey, data: [UInt8], pss: PSSParameters?) throws -> [UInt8] {
        let plan = try plan(scheme, modulus: key.modulus, bits: key.bits, data: data, pss: pss)
        let evp = try EVPKey.rsa(key)
        let k = key.publicKey.byteCount
        var signature = [UInt8](repeating: 0, count: k)
        var length = k
        try evp.contexts.withContext(plan.setup(.sign), make: {
            let context = try evp.makeContext()
            try OpenSSLFailure.check(EVP_PKEY_sign_init(context.pointer), "EVP_PKEY_sign_init")
            try configure(context, plan)
            return context
        }) { context in
            let ok = plan.input.withUnsafeBufferPointer { tbs in
                signature.withUnsafeMutableBufferPointer { EVP_PKEY_sign(context.pointer, $0.baseAddress, &length, tbs.baseAddress, tbs.count) }
            }
            try OpenSSLFailure.check(ok, "RSA sign")
        }
        guard length == k else { throw CryptoError(.providerFailed, "openssl: RSA sign returned \(length) bytes, not \(k)") }
        return signature
    }

    func verify(_ scheme: RSAScheme, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters?) throws -> Bool {
        guard signature.count == key.byteCount else {
            throw CryptoError(.signatureLengthRange,
                "RSA signature is \(signature.count) bytes; a \(key.bits)-bit key needs exactly \(key.byteCount)")
        }
        let plan = try plan(scheme, modulus: key.modulus, bits: key.bits, data: data, pss: pss)
        // A representative s ≥ n is no signature (RFC 8017 §5.2.2 step 1).
        guard DHRange.compare(signature, key.modulus) < 0 else { return false }
        let evp = try EVPKey.rsa(key)
        return try evp.contexts.withContext(plan.setup(.verify), make: {
            let context = try evp.makeContext()
            try OpenSSLFailure.check(EVP_PKEY_verify_init(context.pointer), "EVP_PKEY_verify_init")
            try configure(context, plan)
            return context
        }) { context in
            let result = plan.input.withUnsafeBufferPointer { tbs in
                signature.withUnsafeBufferPointer { EVP_PKEY_verify(context.pointer, $0.baseAddress, $0.count, tbs.baseAddress, tbs.count) }
            }
            // EVP_PKEY_verify: 1 valid, 0 not valid, negative for other errors
            // (thrown, so the context is not pooled again).
            if result == 1 { return true }
            if result == 0 {
                OpenSSLFailure.clearErrorQueue()
                return false
            }
            throw OpenSSLFailure.error(.providerFailed, "RSA verify")
        }
    }

    private func configure(_ context: EVPKeyContext, _ plan: Plan) throws {
        try OpenSSLFailure.check(EVP_PKEY_CTX_set_rsa_padding(context.pointer, plan.padding), "EVP_PKEY_CTX_set_rsa_padding")
        if let md = plan.signatureDigest {
            try OpenSSLFailure.check(EVP_PKEY_CTX_set_signature_md(context.pointer, md.pointer), "EVP_PKEY_CTX_set_signature_md")
        }
        if let pss = plan.pss {
            try OpenSSLFailure.check(EVP_PKEY_CTX_set_rsa_mgf1_md(context.pointer, pss.mgf1.pointer), "EVP_PKEY_CTX_set_rsa_mgf1_md")
            // A fixed salt length: verification rejects any other (Wycheproof's sLen semantics).
            try OpenSSLFailure.check(EVP_PKEY_CTX_set_rsa_pss_saltlen(context.pointer, pss.saltLength), "EVP_PKEY_CTX_set_rsa_pss_saltlen")
        }
    }

    private func plan(_ scheme: RSAScheme, modulus: [UInt8], bits: Int, data: [UInt8], pss: PSSParameters?) throws -> Plan {
        let k = (bits + 7) / 8
        switch scheme {
        case .raw:
            // CKM_RSA_X_509: the input is an integer below n, left-padded to k bytes.
            let value = data.drop(while: { $0 == 0 })
            guard data.count <= k else {
                throw CryptoError(.dataLengthRange, "CKM_RSA_X_509 input is \(data.count) bytes, longer than the \(k)-byte modulus")
            }
            guard DHRange.compare(Array(value), modulus) < 0 else {
                throw CryptoError(.dataInvalid, "CKM_RSA_X_509 input is not smaller than the modulus")
            }
            return Plan(padding: RSA_NO_PADDING, input: [UInt8](repeating: 0, count: k - data.count) + data)
        case .pkcs1:
            // PKCS#1 v1.5 type 1 over the caller's bytes (RFC 8017 §9.2 step 3: at least 8 bytes of 0xFF).
            guard data.count <= k - 11 else {
                throw CryptoError(.dataLengthRange, "CKM_RSA_PKCS input is \(data.count) bytes; a \(bits)-bit key takes at most \(k - 11)")
            }
            return Plan(padding: RSA_PKCS1_PADDING, input: data)
        case .pkcs1Hashed(let hash):
            let md = try algorithms.digest(hash)
            return Plan(padding: RSA_PKCS1_PADDING, input: try md.digest(data), signatureDigest: md)
        case .pss:
            guard let hash = pss?.hash ?? HashAlgorithm(digestLength: data.count) else {
                throw CryptoError(.dataLengthRange, "CKM_RSA_PKCS_PSS input of \(data.count) bytes is not a SHA-1/SHA-2 digest")
            }
            guard data.count == hash.digestLength else {
                throw CryptoError(.dataLengthRange, "CKM_RSA_PKCS_PSS input is \(data.count) bytes; \(hash) digests are \(hash.digestLength)")
            }
            return try pssPlan(digest: data, parameters: pss ?? PSSParameters(hash: hash), bits: bits)
        case .pssHashed(let hash):
            let parameters = pss ?? PSSParameters(hash: hash)
            guard parameters.hash == hash else {
                throw CryptoError(.mechanismParamInvalid, "PSS parameters name \(parameters.hash) but the mechanism hashes with \(hash)")
            }
            return try pssPlan(digest: try algorithms.digest(hash).digest(data), parameters: parameters, bits: bits)
        }
    }

    private func pssPlan(digest: [UInt8], parameters: PSSParameters, bits: Int) throws -> Plan {
        // RFC 8017 §9.1.1: emLen = ⌈(modBits − 1)/8⌉ must hold hLen + sLen + 2 bytes.
        let emLength = (bits - 1 + 7) / 8
        let hLen = parameters.hash.digestLength
        guard parameters.saltLength >= 0, parameters.saltLength <= emLength, hLen + parameters.saltLength + 2 <= emLength else {
            throw CryptoError(.mechanismParamInvalid,
                "PSS salt of \(parameters.saltLength) bytes does not fit a \(bits)-bit key with \(parameters.hash)")
        }
        return Plan(
            padding: RSA_PKCS1_PSS_PADDING, input: digest,
            signatureDigest: try algorithms.digest(parameters.hash),
            pss: (try algorithms.digest(parameters.mgf1Hash), Int32(parameters.saltLength)))
    }
}
