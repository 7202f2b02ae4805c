/// A hash function as the algorithms receive it from a provider: the digest of
/// `data` under `algorithm`.
public typealias HashFunction = (_ algorithm: HashAlgorithm, _ data: [UInt8]) throws -> [UInt8]

/// The RSA signature encodings of RFC 8017 (PKCS #1 v2.2): EMSA-PKCS1-v1_5
/// (§9.2), EMSA-PSS (§9.1) and its mask generation function MGF1 (§B.2.1).
/// Pure byte manipulation: no bignum, no provider.
public enum RSAPadding {
    /// RFC 8017 §9.2 step 3: PS must be at least 8 octets of 0xFF.
    static let minimumPKCS1PaddingLength = 8

    /// EMSA-PKCS1-v1_5 encoding of caller bytes `t` (a DigestInfo, or a raw
    /// hash for IKEv1) into `length` bytes: `00 01 FF…FF 00 T`
    /// (RFC 8017 §9.2 steps 4–5). Throws `dataLengthRange` when `t` leaves
    /// fewer than 8 padding bytes (§9.2 step 3, "intended encoded message length too short").
    public static func pkcs1Type1(_ t: [UInt8], length k: Int) throws -> [UInt8] {
        try checkPKCS1Type1Fits(t.count, length: k)
        var em = [UInt8](repeating: 0xFF, count: k)
        em[0] = 0x00
        em[1] = 0x01
        em[k - t.count - 1] = 0x00
        em.replaceSubrange((k - t.count)..<k, with: t)
        return em
    }

    /// Throws `dataLengthRange` unless `count` bytes leave room for the 8
    /// padding bytes and the 3 fixed ones in a `k`-byte block.
    static func checkPKCS1Type1Fits(_ count: Int, length k: Int) throws {
        guard count + minimumPKCS1PaddingLength + 3 <= k else {
            throw CryptoError(.dataLengthRange,
                "\(count) bytes do not fit PKCS#1 v1.5 padding in a \(k)-byte modulus (at most \(max(k - 11, 0)))")
        }
    }

    /// Whether `em` is exactly ``pkcs1Type1(_:length:)`` of `t` at `em`'s
    /// length, compared in constant time without building the encoding (the
    /// verify path of CKM_RSA_PKCS, run for every IKE signature check).
    static func isPKCS1Type1(_ em: [UInt8], of t: [UInt8]) -> Bool {
        let k = em.count
        guard t.count + minimumPKCS1PaddingLength + 3 <= k else { return false }
        let separator = k - t.count - 1
        return em.withUnsafeBufferPointer { e in
            t.withUnsafeBufferPointer { t in
                var diff = e[0] | (e[1] ^ 0x01) | e[separator]
                for i in 2..<separator { diff |= e[i] ^ 0xFF }
                for i in 0..<t.count { diff |= e[separator + 1 + i] ^ t[i] }
                return diff == 0
            }
        }
    }

    /// MGF1 (RFC 8017 §B.2.1): Hash(seed ‖ C) for C = 0, 1, … as 4-byte
    /// big-endian counters, concatenated and cut to `length` bytes.
    public static func mgf1(
        seed: [UInt8], length: Int, hash algorithm: HashAlgorithm, using hash: HashFunction
    ) throws -> [UInt8] {
        var mask: [UInt8] = []
        mask.reserveCapacity(length + algorithm.digestLength)
        var counter: UInt32 = 0
        while mask.count < length {
            let c: [UInt8] = [UInt8(truncatingIfNeeded: counter >> 24), UInt8(truncatingIfNeeded: counter >> 16),
                              UInt8(truncatingIfNeeded: counter >> 8), UInt8(truncatingIfNeeded: counter)]
            mask += try hash(algorithm, seed + c)
            counter += 1
        }
        return Array(mask.prefix(length))
    }

    /// The octet length of an encoded message of `emBits` bits (⌈emBits/8⌉).
    static func byteLength(bits: Int) -> Int { (bits + 7) / 8 }

    /// M' = (0x)00 00 00 00 00 00 00 00 ‖ mHash ‖ salt, hashed (RFC 8017 §9.1.1 steps 5–6).
    private static func pssDigest(
        mHash: [UInt8], salt: [UInt8], parameters: PSSParameters, hash: HashFunction
    ) throws -> [UInt8] {
        try hash(parameters.hash, [UInt8](repeating: 0, count: 8) + mHash + salt)
    }

    /// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of the message hash `mHash` into an
    /// encoded message of `emBits` bits (modBits − 1 for RSASSA-PSS, §8.1.1),
    /// with the caller's `salt` (its length must be `parameters.saltLength`).
    /// Returns ⌈emBits/8⌉ bytes.
    public static func pssEncode(
        mHash: [UInt8], emBits: Int, salt: [UInt8], parameters: PSSParameters, hash: HashFunction
    ) throws -> [UInt8] {
        let hLen = parameters.hash.digestLength
        let emLen = byteLength(bits: emBits)
        guard mHash.count == hLen else {
            throw CryptoError(.dataLengthRange, "PSS message hash is \(mHash.count) bytes, \(parameters.hash) needs \(hLen)")
        }
        guard salt.count == parameters.saltLength else {
            throw CryptoError(.mechanismParamInvalid, "PSS salt is \(salt.count) bytes, parameters say \(parameters.saltLength)")
        }
        // §9.1.1 step 3: emLen < hLen + sLen + 2 → "encoding error".
        guard emLen >= hLen + salt.count + 2 else {
            throw CryptoError(.mechanismParamInvalid,
                "a \(emBits + 1)-bit modulus is too small for PSS with \(parameters.hash) and a \(salt.count)-byte salt")
        }
        let h = try pssDigest(mHash: mHash, salt: salt, parameters: parameters, hash: hash)
        // Steps 7–8: DB = PS ‖ 0x01 ‖ salt, PS zeros.
        let dbLen = emLen - hLen - 1
        var db = [UInt8](repeating: 0, count: dbLen - salt.count - 1)
        db.append(0x01)
        db += salt
        // Steps 9–10: maskedDB = DB ⊕ MGF(H, emLen − hLen − 1).
        let mask = try mgf1(seed: h, length: dbLen, hash: parameters.mgf1Hash, using: hash)
        for i in 0..<dbLen { db[i] ^= mask[i] }
        // Step 11: clear the leftmost 8·emLen − emBits bits.
        db[0] &= 0xFF >> (8 * emLen - emBits)
        // Step 12: EM = maskedDB ‖ H ‖ 0xbc.
        return db + h + [0xBC]
    }

    /// EMSA-PSS-VERIFY (RFC 8017 §9.1.2): whether `em` (⌈emBits/8⌉ bytes) is
    /// a PSS encoding of `mHash` under `parameters`. Every inconsistency is a
    /// plain `false`.
    public static func pssVerify(
        mHash: [UInt8], em: [UInt8], emBits: Int, parameters: PSSParameters, hash: HashFunction
    ) throws -> Bool {
        let hLen = parameters.hash.digestLength
        let sLen = parameters.saltLength
        let emLen = byteLength(bits: emBits)
        // Steps 2–4 (sLen bounded first so the sum cannot overflow, nor a negative one index past DB).
        guard sLen >= 0, sLen <= emLen, mHash.count == hLen, em.count == emLen, emLen >= hLen + sLen + 2,
            em[emLen - 1] == 0xBC
        else {
            return false
        }
        // Step 5: maskedDB, H.
        let dbLen = emLen - hLen - 1
        var db = Array(em[0..<dbLen])
        let h = Array(em[dbLen..<(dbLen + hLen)])
        // Step 6: the leftmost 8·emLen − emBits bits must be zero.
        let topMask: UInt8 = 0xFF >> (8 * emLen - emBits)
        guard db[0] & ~topMask == 0 else { return false }
        // Steps 7–9: unmask and clear the same bits.
        let mask = try mgf1(seed: h, length: dbLen, hash: parameters.mgf1Hash, using: hash)
        for i in 0..<dbLen { db[i] ^= mask[i] }
        db[0] &= topMask
        // Step 10: PS zeros, then 0x01.
        let psLen = dbLen - sLen - 1
        var nonZero: UInt8 = 0
        for i in 0..<psLen { nonZero |= db[i] }
        guard nonZero == 0, db[psLen] == 0x01 else { return false }
        // Steps 11–14: H' from the recovered salt, compared with H.
        let salt = Array(db[(dbLen - sLen)...])
        let hPrime = try pssDigest(mHash: mHash, salt: salt, parameters: parameters, hash: hash)
        return constantTimeEquals(h, hPrime)
    }
}

/// What a scheme signs, prepared from the caller's data: either a fixed
/// encoded message (raw, PKCS#1 v1.5 — verified by re-encoding, RFC 8017
/// §8.2.2 step 3) or a PSS message hash with its parameters.
enum RSASignatureInput {
    case encoded([UInt8])
    case pss(mHash: [UInt8], parameters: PSSParameters)

    /// The input of `scheme` for `data` under `key`'s modulus, after
    /// ``RSAInputRules`` (the checks every provider shares).
    static func prepare(
        scheme: RSAScheme, key: RSAPublicKey, data: [UInt8], pss: PSSParameters?, hash: HashFunction
    ) throws -> RSASignatureInput {
        let parameters = try RSAInputRules.checkSign(scheme, key: key, data: data, pss: pss)
        return try encode(scheme: scheme, key: key, data: data, parameters: parameters, hash: hash)
    }

    /// The input of a request whose inputs already passed ``RSAInputRules``
    /// (`parameters` as the rules resolved them).
    static func encode(
        scheme: RSAScheme, key: RSAPublicKey, data: [UInt8], parameters: PSSParameters?, hash: HashFunction
    ) throws -> RSASignatureInput {
        let k = key.byteCount
        switch (scheme, parameters) {
        case (.raw, _):
            // CKM_RSA_X_509: the data as an integer, left-padded to k.
            return .encoded([UInt8](repeating: 0, count: k - data.count) + data)
        case (.pkcs1, _):
            return .encoded(try RSAPadding.pkcs1Type1(data, length: k))
        case (.pkcs1Hashed(let algorithm), _):
            return .encoded(try RSAPadding.pkcs1Type1(algorithm.digestInfo(try hash(algorithm, data)), length: k))
        case (.pss, let parameters?):
            // CKM_RSA_PKCS_PSS signs a hash computed by the caller.
            return .pss(mHash: data, parameters: parameters)
        case (.pssHashed(let algorithm), let parameters?):
            return .pss(mHash: try hash(algorithm, data), parameters: parameters)
        case (.pss, nil), (.pssHashed, nil):
            throw CryptoError(.mechanismParamInvalid, "\(scheme.mechanismName) reached encoding without PSS parameters")
        }
    }
}

public enum RSASignatureVerifier {
    /// Whether `signature` is a valid signature of `data` under `scheme`.
    /// `publicOperation` maps a k-byte signature to s^e mod n as k bytes; `hash` computes a digest.
    ///
    /// Bad inputs throw as ``RSAInputRules`` says. A signature not below n is
    /// `false` (RFC 8017 §8.2.2 step 2 "signature representative out of range"),
    /// decided before `publicOperation` runs; should `publicOperation` still
    /// refuse the value (a `CryptoError` with code `dataInvalid` or
    /// `signatureInvalid`), the answer is `false` too.
    public static func verify(scheme: RSAScheme, key: RSAPublicKey, data: [UInt8], signature: [UInt8],
                              pss: PSSParameters?, publicOperation: ([UInt8]) throws -> [UInt8],
                              hash: (HashAlgorithm, [UInt8]) throws -> [UInt8]) throws -> Bool {
        let parameters = try RSAInputRules.checkVerify(scheme, key: key, data: data, signature: signature, pss: pss)
        let signature = RSAInputRules.signatureRepresentative(signature, of: key)
        guard RSAInputRules.isRepresentative(signature, of: key) else { return false }
        let modulusBits = key.bits
        let k = key.byteCount
        // CKM_RSA_PKCS is compared with its encoding in place; the rest re-encode (§8.2.2 step 3).
        let input: RSASignatureInput?
        if case .pkcs1 = scheme {
            try RSAPadding.checkPKCS1Type1Fits(data.count, length: k)
            input = nil
        } else {
            input = try RSASignatureInput.encode(scheme: scheme, key: key, data: data, parameters: parameters, hash: hash)
        }
        let recovered: [UInt8]
        do {
            recovered = try publicOperation(signature)
        } catch let error as CryptoError where error.code == .dataInvalid || error.code == .signatureInvalid {
            return false
        }
        guard recovered.count == k else { return false }
        switch input {
        case nil:
            return RSAPadding.isPKCS1Type1(recovered, of: data)
        case .encoded(let expected):
            return constantTimeEquals(recovered, expected)
        case .pss(let mHash, let parameters):
            // RFC 8017 §8.1.2 step 2c: EM = I2OSP(m, emLen), emLen = ⌈(modBits − 1)/8⌉.
            let emBits = modulusBits - 1
            let emLen = RSAPadding.byteLength(bits: emBits)
            guard recovered.prefix(k - emLen).allSatisfy({ $0 == 0 }) else { return false }
            return try RSAPadding.pssVerify(
                mHash: mHash, em: Array(recovered.suffix(emLen)), emBits: emBits, parameters: parameters, hash: hash)
        }
    }
}
