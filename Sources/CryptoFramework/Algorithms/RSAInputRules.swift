/// The one set of rules every RSA sign and verify request is held to — the
/// framework applies them before it selects a provider, and every built-in
/// provider applies them again on its own path — so the answer to a bad input
/// never depends on who serves it. Pure length and range checks: no hashing,
/// no bignum.
///
/// Where PKCS#11 v2.40 (§5.2 C_Sign/C_Verify return values, §2.1.6–§2.1.14 the
/// RSA mechanisms) allows more than one answer, the one chosen here is
/// (docs/rsa-input-rules.md lists each edge with its reason):
/// - parameters first (PKCS#11 checks them in C_SignInit/C_VerifyInit, before
///   any data): a parameter on a mechanism that takes none, a PSS hash that is
///   not the mechanism's, a negative salt or one that does not fit
///   emLen ≥ hLen + sLen + 2 (RFC 8017 §9.1.1 step 3) → `mechanismParamInvalid`,
///   for verify as for sign (the encoding cannot exist, so no signature is asked about);
/// - then the data: too long for the mechanism → `dataLengthRange`; a CKM_RSA_X_509
///   value not below n → `dataInvalid`, for verify as for sign (no signature
///   can represent it: it is a malformed request, not a wrong signature);
/// - then the signature (verify): longer than k bytes, or more than
///   ``maxSignatureShortfall`` bytes shorter → `signatureLengthRange`; a
///   shorter one within that bound is read as the integer it encodes (left-padded
///   to k, ``signatureRepresentative(_:of:)``); not below n → `false` (RFC 8017 §8.2.2 step 2 "signature
///   representative out of range" → "invalid signature", CKR_SIGNATURE_INVALID).
public enum RSAInputRules {
    /// Checks the inputs of a sign request under `scheme` with `key`'s modulus.
    /// Returns the PSS parameters in force (the caller's, or the defaults for
    /// the scheme and data), nil for the PKCS#1 v1.5 and raw schemes.
    @discardableResult
    public static func checkSign(
        _ scheme: RSAScheme, key: RSAPublicKey, data: [UInt8], pss: PSSParameters?
    ) throws -> PSSParameters? {
        let parameters = try resolveParameters(scheme, key: key, dataCount: data.count, pss: pss)
        try checkData(scheme, key: key, data: data, pss: parameters)
        return parameters
    }

    /// How many bytes shorter than k an RSA signature may be and still be read
    /// as the integer it encodes (docs/rsa-input-rules.md, "Short signatures").
    ///
    /// RFC 8017 §8.2.2 step 1 and PKCS#11 §5.2 want exactly k bytes, but
    /// strongSwan's pkcs11 plugin strips a signature's leading zero bytes before
    /// C_Verify (`chunk_skip_zero`), so one honest signature in 256 arrives
    /// k − 1 bytes long, one in 65536 k − 2 … A uniformly distributed
    /// signature is more than 8 bytes short with probability 2⁻⁶⁴: beyond that
    /// the length alone says the input is not a signature of this key, and the
    /// answer is the length error the standards ask for.
    public static let maxSignatureShortfall = 8

    /// Checks the inputs of a verify request; a signature of an accepted length
    /// passes even when it is not below n (that one is answered `false`).
    @discardableResult
    public static func checkVerify(
        _ scheme: RSAScheme, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters?
    ) throws -> PSSParameters? {
        let parameters = try checkSign(scheme, key: key, data: data, pss: pss)
        let k = key.byteCount
        guard signature.count <= k, signature.count >= k - maxSignatureShortfall else {
            throw CryptoError(.signatureLengthRange,
                "RSA signature is \(signature.count) bytes; a \(key.bits)-bit key needs \(k) (at most \(maxSignatureShortfall) fewer, as leading zeros stripped)")
        }
        return parameters
    }

    /// The k-byte signature representative of a signature that passed
    /// ``checkVerify(_:key:data:signature:pss:)``: the integer it encodes,
    /// left-padded with zeros to the modulus length.
    public static func signatureRepresentative(_ signature: [UInt8], of key: RSAPublicKey) -> [UInt8] {
        let k = key.byteCount
        guard signature.count < k else { return signature }
        return [UInt8](repeating: 0, count: k - signature.count) + signature
    }

    /// Whether a signature is a representative below n; one that is
    /// not is an invalid signature (`false`), RFC 8017 §8.2.2 step 2.
    public static func isRepresentative(_ signature: [UInt8], of key: RSAPublicKey) -> Bool {
        DHRange.compare(signature, key.modulus) < 0
    }

    // MARK: The steps

    private static func resolveParameters(
        _ scheme: RSAScheme, key: RSAPublicKey, dataCount: Int, pss: PSSParameters?
    ) throws -> PSSParameters? {
        let parameters: PSSParameters
        switch scheme {
        case .raw, .pkcs1, .pkcs1Hashed:
            // PKCS#11 §2.1: these mechanisms "do not have a parameter".
            guard pss == nil else {
                throw CryptoError(.mechanismParamInvalid, "\(scheme.mechanismName) takes no parameters; PSS parameters were given")
            }
            return nil
        case .pss:
            // CKM_RSA_PKCS_PSS signs a caller's digest: the hash is the parameters', or the one of that length.
            guard let algorithm = pss?.hash ?? HashAlgorithm(digestLength: dataCount) else {
                throw CryptoError(.dataLengthRange, "CKM_RSA_PKCS_PSS input of \(dataCount) bytes is no SHA-1/SHA-2 digest length")
            }
            parameters = pss ?? PSSParameters(hash: algorithm)
        case .pssHashed(let algorithm):
            parameters = pss ?? PSSParameters(hash: algorithm)
            guard parameters.hash == algorithm else {
                throw CryptoError(.mechanismParamInvalid,
                    "PSS parameters name \(parameters.hash) but \(scheme.mechanismName) hashes with \(algorithm)")
            }
        }
        // RFC 8017 §9.1.1 step 3 with emLen = ⌈(modBits − 1)/8⌉ (§8.1.1); sLen bounded
        // first so hLen + sLen + 2 cannot overflow.
        let emLength = RSAPadding.byteLength(bits: key.bits - 1)
        let sLen = parameters.saltLength
        guard sLen >= 0, sLen <= emLength, parameters.hash.digestLength + sLen + 2 <= emLength else {
            throw CryptoError(.mechanismParamInvalid,
                "PSS salt of \(sLen) bytes does not fit a \(key.bits)-bit key with \(parameters.hash) (at most \(max(emLength - parameters.hash.digestLength - 2, 0)))")
        }
        return parameters
    }

    private static func checkData(_ scheme: RSAScheme, key: RSAPublicKey, data: [UInt8], pss: PSSParameters?) throws {
        let k = key.byteCount
        switch scheme {
        case .raw:
            // PKCS#11 §2.1.7: input length ≤ k; the value must be below n to be an RSA input at all.
            guard data.count <= k else {
                throw CryptoError(.dataLengthRange, "CKM_RSA_X_509 input is \(data.count) bytes, longer than the \(k)-byte modulus")
            }
            guard DHRange.compare(data, key.modulus) < 0 else {
                throw CryptoError(.dataInvalid, "CKM_RSA_X_509 input is not below the modulus")
            }
        case .pkcs1:
            // PKCS#11 §2.1.6 and RFC 8017 §9.2 step 3: at most k − 11 bytes (8 of them 0xFF padding).
            guard data.count + RSAPadding.minimumPKCS1PaddingLength + 3 <= k else {
                throw CryptoError(.dataLengthRange,
                    "CKM_RSA_PKCS input is \(data.count) bytes; a \(key.bits)-bit key takes at most \(max(k - 11, 0))")
            }
        case .pkcs1Hashed(let algorithm):
            // Any data; its DigestInfo must leave room for the padding (a sha512 DigestInfo needs k ≥ 94).
            let t = algorithm.digestInfoPrefix.count + algorithm.digestLength
            guard t + RSAPadding.minimumPKCS1PaddingLength + 3 <= k else {
                throw CryptoError(.dataLengthRange,
                    "a \(algorithm) DigestInfo of \(t) bytes does not fit PKCS#1 v1.5 padding in a \(key.bits)-bit key")
            }
        case .pss:
            // The caller's digest must have the parameters' hash length.
            if let hash = pss?.hash, data.count != hash.digestLength {
                throw CryptoError(.dataLengthRange,
                    "CKM_RSA_PKCS_PSS input is \(data.count) bytes; \(hash) digests are \(hash.digestLength)")
            }
        case .pssHashed:
            break  // any data: the mechanism hashes it
        }
    }
}

extension RSAScheme {
    /// The mechanism's PKCS#11 name, for messages.
    var mechanismName: String {
        switch self {
        case .raw: "CKM_RSA_X_509"
        case .pkcs1: "CKM_RSA_PKCS"
        case .pkcs1Hashed(let h): "CKM_\(h.rawValue.uppercased())_RSA_PKCS"
        case .pss: "CKM_RSA_PKCS_PSS"
        case .pssHashed(let h): "CKM_\(h.rawValue.uppercased())_RSA_PKCS_PSS"
        }
    }
}
