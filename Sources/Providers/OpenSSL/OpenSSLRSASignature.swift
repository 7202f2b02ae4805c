internal import CLibCrypto
import CryptoFramework

/// RSA signatures for every ``RSAScheme``: signing over EVP_PKEY_sign,
/// verification over libcrypto's Montgomery exponentiation.
/// libcrypto's RSA private operation is blinded and constant-time by default;
/// nothing here turns that off.
struct OpenSSLRSASignature {
    let algorithms: FetchedAlgorithms
    /// Scratch bignums for verification, shared by the provider's threads.
    let publicScratch: ObjectPool<OpenSSLRSAPublicOperation.Scratch>

    /// What goes into EVP_PKEY_sign/verify and how the context is set up.
    private struct Plan {
        var padding: Int32
        /// The bytes handed to libcrypto: a digest, PKCS#1 input, or a full-length block.
        var input: [UInt8]
        var signatureDigest: FetchedDigest? = nil
        var pss: (mgf1: FetchedDigest, saltLength: Int32)? = nil

        func setup(_ operation: RSAContextSetup.Operation) -> RSAContextSetup {
            RSAContextSetup(
                operation: operation, padding: padding, signatureDigest: signatureDigest?.hash.hash,
                mgf1Digest: pss?.mgf1.hash.hash, saltLength: pss?.saltLength)
        }
    }

    func sign(_ scheme: RSAScheme, key: RSAPrivateKey, data: [UInt8], pss: PSSParameters?) throws -> [UInt8] {
        let parameters = try RSAInputRules.checkSign(scheme, key: key.publicKey, data: data, pss: pss)
        let plan = try plan(scheme, bits: key.bits, data: data, pss: parameters)
        let evp = try EVPKey.rsa(key)
        let k = key.publicKey.byteCount
        var signature = [UInt8](repeating: 0, count: k)
        var length = k
        try evp.contexts.withContext(.rsa(plan.setup(.sign)), make: {
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

    /// RSA verification: s^e mod n on libcrypto's Montgomery arithmetic
    /// (``OpenSSLRSAPublicOperation``), the padding checked by the framework's
    /// ``RSASignatureVerifier`` with libcrypto's digests.
    func verify(_ scheme: RSAScheme, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters?) throws -> Bool {
        let operation = try OpenSSLRSAPublicOperation.of(key, scratch: publicScratch)
        return try RSASignatureVerifier.verify(
            scheme: scheme, key: key, data: data, signature: signature, pss: pss,
            publicOperation: { try operation.apply($0, scratch: publicScratch) },
            hash: { hash, bytes in try algorithms.digest(hash).digest(bytes) })
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

    /// The EVP set-up for inputs that passed ``RSAInputRules`` (`pss`: the
    /// parameters as the rules resolved them).
    private func plan(_ scheme: RSAScheme, bits: Int, data: [UInt8], pss: PSSParameters?) throws -> Plan {
        let k = (bits + 7) / 8
        switch (scheme, pss) {
        case (.raw, _):
            // CKM_RSA_X_509: the integer left-padded to k bytes.
            return Plan(padding: RSA_NO_PADDING, input: [UInt8](repeating: 0, count: k - data.count) + data)
        case (.pkcs1, _):
            return Plan(padding: RSA_PKCS1_PADDING, input: data)
        case (.pkcs1Hashed(let hash), _):
            let md = try algorithms.digest(hash)
            return Plan(padding: RSA_PKCS1_PADDING, input: try md.digest(data), signatureDigest: md)
        case (.pss, let parameters?):
            return try pssPlan(digest: data, parameters: parameters)
        case (.pssHashed(let hash), let parameters?):
            return try pssPlan(digest: try algorithms.digest(hash).digest(data), parameters: parameters)
        case (.pss, nil), (.pssHashed, nil):
            throw CryptoError(.mechanismParamInvalid, "openssl: a PSS request reached EVP without its parameters")
        }
    }

    private func pssPlan(digest: [UInt8], parameters: PSSParameters) throws -> Plan {
        Plan(
            padding: RSA_PKCS1_PSS_PADDING, input: digest,
            signatureDigest: try algorithms.digest(parameters.hash),
            pss: (try algorithms.digest(parameters.mgf1Hash), Int32(parameters.saltLength)))
    }
}
