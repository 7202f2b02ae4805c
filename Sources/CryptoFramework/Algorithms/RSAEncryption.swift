/// RSA encryption (RFC 8017 §7) over a provider's raw RSA: CKM_RSA_X_509,
/// CKM_RSA_PKCS (RSAES-PKCS1-v1_5, §7.2) and CKM_RSA_PKCS_OAEP (RSAES-OAEP,
/// §7.1). Providers hand in their public and private operations (m ↦ m^e,
/// c ↦ c^d mod n, blinded); the padding, its checks and the errors are this
/// one piece of code, so every provider gives the same answer to the same
/// request (docs/rsa-input-rules.md, "Encryption").
///
/// Decryption never says which padding check failed: PKCS#1 v1.5 and OAEP
/// padding are examined in constant time, every byte of the block every
/// time, and any failure is the one `dataInvalid` ("RSA decryption error",
/// CKR_ENCRYPTED_DATA_INVALID), raised after the whole check. That is the
/// constant-time-check-with-one-error choice, not implicit rejection: see
/// docs/DESIGN.md, "RSA decryption".
public enum RSAEncryption {
    /// The encryption schemes, by mechanism.
    enum Scheme {
        case raw
        case pkcs1
        case oaep(OAEPParameters)
    }

    /// The RSA encryption mechanisms.
    public static let mechanisms: [Mechanism] = [.rsaPKCS, .rsaX509, .rsaPKCSOAEP]

    /// RFC 8017 §7.2.1 step 2: PS is at least 8 nonzero octets.
    static let minimumPKCS1PaddingLength = 8

    static func scheme(_ mechanism: Mechanism, oaep: OAEPParameters?) throws -> Scheme {
        switch mechanism {
        case .rsaX509, .rsaPKCS:
            guard oaep == nil else {
                throw CryptoError(.mechanismParamInvalid, "\(mechanism.name) takes no parameters; OAEP parameters were given")
            }
            return mechanism == .rsaX509 ? .raw : .pkcs1
        case .rsaPKCSOAEP:
            return .oaep(oaep ?? OAEPParameters())
        default:
            throw CryptoError(.mechanismInvalid, "\(mechanism.name) is no RSA encryption mechanism")
        }
    }

    /// The longest message a `k`-byte modulus takes under `scheme`.
    static func maxMessageLength(_ scheme: Scheme, k: Int) -> Int {
        switch scheme {
        case .raw: k
        case .pkcs1: k - minimumPKCS1PaddingLength - 3
        case .oaep(let p): k - 2 * p.hash.digestLength - 2
        }
    }

    /// RFC 8017 §7.1.1 step 1b: an OAEP encoding needs k ≥ 2hLen + 2; a key too
    /// small for the hash is a bad parameter, for decryption as for encryption.
    private static func checkParameters(_ scheme: Scheme, key: RSAPublicKey) throws {
        guard case .oaep(let p) = scheme else { return }
        guard key.byteCount >= 2 * p.hash.digestLength + 2 else {
            throw CryptoError(.mechanismParamInvalid,
                "a \(key.bits)-bit key is too small for OAEP with \(p.hash) (k must be at least \(2 * p.hash.digestLength + 2) bytes)")
        }
    }

    /// The checks of an encryption request: parameters, then the message's
    /// length (`dataLengthRange`), then for CKM_RSA_X_509 its value (`dataInvalid` when not below n).
    public static func checkEncrypt(_ mechanism: Mechanism, key: RSAPublicKey, data: [UInt8], oaep: OAEPParameters?) throws {
        let scheme = try scheme(mechanism, oaep: oaep)
        try checkParameters(scheme, key: key)
        let limit = maxMessageLength(scheme, k: key.byteCount)
        guard data.count <= limit else {
            throw CryptoError(.dataLengthRange,
                "\(mechanism.name) input is \(data.count) bytes; a \(key.bits)-bit key takes at most \(limit)")
        }
        if case .raw = scheme, DHRange.compare(data, key.modulus) >= 0 {
            throw CryptoError(.dataInvalid, "CKM_RSA_X_509 input is not below the modulus")
        }
    }

    /// The checks of a decryption request, all on public values: parameters,
    /// then a ciphertext of exactly k bytes (`dataLengthRange`,
    /// CKR_ENCRYPTED_DATA_LEN_RANGE) below n (`dataInvalid`, RFC 8017 §7.1.2
    /// step 2a / §7.2.2 step 2a "decryption error").
    public static func checkDecrypt(_ mechanism: Mechanism, key: RSAPublicKey, ciphertext: [UInt8], oaep: OAEPParameters?) throws {
        let scheme = try scheme(mechanism, oaep: oaep)
        try checkParameters(scheme, key: key)
        guard ciphertext.count == key.byteCount else {
            throw CryptoError(.dataLengthRange,
                "RSA ciphertext is \(ciphertext.count) bytes; a \(key.bits)-bit key's are exactly \(key.byteCount)")
        }
        guard DHRange.compare(ciphertext, key.modulus) < 0 else {
            throw CryptoError(.dataInvalid, "RSA decryption error: the ciphertext is not below the modulus")
        }
    }

    // MARK: Encryption

    /// The k-byte ciphertext of `data`. `publicOperation` maps a k-byte block
    /// below n to its k-byte power; `random` gives padding and seed bytes.
    public static func encrypt(
        _ mechanism: Mechanism, key: RSAPublicKey, data: [UInt8], oaep: OAEPParameters?,
        publicOperation: ([UInt8]) throws -> [UInt8], random: (Int) throws -> SecureBytes, hash: HashFunction
    ) throws -> [UInt8] {
        try checkEncrypt(mechanism, key: key, data: data, oaep: oaep)
        let k = key.byteCount
        var em: [UInt8]
        switch try scheme(mechanism, oaep: oaep) {
        case .raw:
            em = [UInt8](repeating: 0, count: k - data.count) + data
        case .pkcs1:
            em = [0x00, 0x02] + (try nonzeroRandom(count: k - data.count - 3, random: random)) + [0x00] + data
        case .oaep(let p):
            em = try oaepEncode(data, k: k, parameters: p, seed: random(p.hash.digestLength).bytes, hash: hash)
        }
        defer { KeyDER.wipe(&em) }
        let c = try publicOperation(em)
        guard c.count == k else { throw CryptoError(.providerFailed, "RSA public operation returned \(c.count) bytes, not \(k)") }
        return c
    }

    /// PS of RFC 8017 §7.2.1 step 2: `count` random bytes, none zero.
    private static func nonzeroRandom(count: Int, random: (Int) throws -> SecureBytes) throws -> [UInt8] {
        var ps = try random(count).bytes
        for i in ps.indices {
            while ps[i] == 0 { ps[i] = try random(1).bytes[0] }
        }
        return ps
    }

    /// EME-OAEP encoding (RFC 8017 §7.1.1 step 2): 0x00 ‖ maskedSeed ‖ maskedDB.
    static func oaepEncode(
        _ message: [UInt8], k: Int, parameters p: OAEPParameters, seed: [UInt8], hash: HashFunction
    ) throws -> [UInt8] {
        let hLen = p.hash.digestLength
        let lHash = try hash(p.hash, p.label)
        // DB = lHash ‖ PS ‖ 0x01 ‖ M, k − hLen − 1 bytes.
        var db = lHash + [UInt8](repeating: 0, count: k - message.count - 2 * hLen - 2) + [0x01] + message
        defer { KeyDER.wipe(&db) }
        let dbMask = try RSAPadding.mgf1(seed: seed, length: k - hLen - 1, hash: p.mgf1Hash, using: hash)
        for i in db.indices { db[i] ^= dbMask[i] }
        var maskedSeed = seed
        let seedMask = try RSAPadding.mgf1(seed: db, length: hLen, hash: p.mgf1Hash, using: hash)
        for i in maskedSeed.indices { maskedSeed[i] ^= seedMask[i] }
        return [0x00] + maskedSeed + db
    }

    // MARK: Decryption

    /// The plaintext of a k-byte `ciphertext`. `privateOperation` maps it to
    /// c^d mod n as k bytes (blinded by the provider). With `checkResult` the
    /// result is checked against the public key with the framework's own
    /// arithmetic before any of it is looked at (a faulty CRT half would leak
    /// a factor of n): as for signatures (docs/DESIGN.md, rule 5), a device's
    /// result is checked here, while a software provider whose private
    /// operation checks itself (``RSAAlgorithms/checksPrivateResults``,
    /// libcrypto's CRT verification) passes false. Then it is unpadded in constant time.
    public static func decrypt(
        _ mechanism: Mechanism, key: RSAPrivateKey, ciphertext: [UInt8], oaep: OAEPParameters?,
        checkResult: Bool = true, privateOperation: ([UInt8]) throws -> [UInt8], hash: HashFunction
    ) throws -> SecureBytes {
        let pub = key.publicKey
        try checkDecrypt(mechanism, key: pub, ciphertext: ciphertext, oaep: oaep)
        let k = pub.byteCount
        var em = try privateOperation(ciphertext)
        defer { KeyDER.wipe(&em) }
        guard em.count == k else { throw CryptoError(.providerFailed, "RSA private operation returned \(em.count) bytes, not \(k)") }
        if checkResult {
            guard let back = try? SoftwareRSAPublicOperation.apply(em, key: pub), constantTimeEquals(back, ciphertext) else {
                throw CryptoError(.deviceError, "RSA private-key result failed its check against the public key; withheld")
            }
        }
        switch try scheme(mechanism, oaep: oaep) {
        case .raw:
            return SecureBytes(em)
        case .pkcs1:
            return try pkcs1Decode(em)
        case .oaep(let p):
            return try oaepDecode(em, parameters: p, hash: hash)
        }
    }

    /// The one error of a padding that does not check out.
    static var decryptionError: CryptoError { CryptoError(.dataInvalid, "RSA decryption error") }

    /// EME-PKCS1-v1_5 decoding (RFC 8017 §7.2.2 step 3) in constant time:
    /// 0x00 0x02, at least 8 nonzero bytes, 0x00, the message.
    static func pkcs1Decode(_ em: [UInt8]) throws -> SecureBytes {
        let k = em.count
        guard k >= minimumPKCS1PaddingLength + 3 else { throw decryptionError }
        var good = Mask.equal(UInt(em[0]), 0) & Mask.equal(UInt(em[1]), 2)
        var looking = Mask.all
        var separator: UInt = 0
        for i in 2..<k {
            let zero = Mask.equal(UInt(em[i]), 0)
            separator = Mask.select(looking & zero, UInt(i), separator)
            looking &= ~zero
        }
        good &= ~looking
        good &= Mask.greaterOrEqual(separator, UInt(2 + minimumPKCS1PaddingLength))
        guard good == Mask.all else { throw decryptionError }
        return SecureBytes(em[(Int(separator) + 1)...])
    }

    /// EME-OAEP decoding (RFC 8017 §7.1.2 step 3) in constant time: Y = 0,
    /// lHash' = lHash, then zeros up to a 0x01, then the message.
    static func oaepDecode(_ em: [UInt8], parameters p: OAEPParameters, hash: HashFunction) throws -> SecureBytes {
        let k = em.count
        let hLen = p.hash.digestLength
        guard k >= 2 * hLen + 2 else { throw decryptionError }
        let lHash = try hash(p.hash, p.label)
        let maskedSeed = em[1...hLen]
        var db = Array(em[(hLen + 1)...])
        defer { KeyDER.wipe(&db) }
        let seedMask = try RSAPadding.mgf1(seed: db, length: hLen, hash: p.mgf1Hash, using: hash)
        var seed = zip(maskedSeed, seedMask).map { $0 ^ $1 }
        defer { KeyDER.wipe(&seed) }
        let dbMask = try RSAPadding.mgf1(seed: seed, length: db.count, hash: p.mgf1Hash, using: hash)
        for i in db.indices { db[i] ^= dbMask[i] }
        var good = Mask.equal(UInt(em[0]), 0)
        var difference: UInt = 0
        for i in 0..<hLen { difference |= UInt(db[i] ^ lHash[i]) }
        good &= Mask.equal(difference, 0)
        var looking = Mask.all
        var separator: UInt = 0
        for i in hLen..<db.count {
            let one = Mask.equal(UInt(db[i]), 1)
            let zero = Mask.equal(UInt(db[i]), 0)
            separator = Mask.select(looking & one, UInt(i), separator)
            good &= ~(looking & ~one & ~zero)  // a byte other than 0 or 1 before the separator
            looking &= ~one
        }
        good &= ~looking
        guard good == Mask.all else { throw decryptionError }
        return SecureBytes(db[(Int(separator) + 1)...])
    }

    /// Branch-free masks: all ones for true, zero for false.
    enum Mask {
        static let all = UInt.max

        /// All ones when `x` is zero.
        @inline(__always) static func isZero(_ x: UInt) -> UInt {
            ((x | (0 &- x)) >> (UInt.bitWidth - 1)) &- 1
        }

        @inline(__always) static func equal(_ a: UInt, _ b: UInt) -> UInt { isZero(a ^ b) }

        /// All ones when a ≥ b, for a and b below 2^(bitWidth − 1).
        @inline(__always) static func greaterOrEqual(_ a: UInt, _ b: UInt) -> UInt {
            ((a &- b) >> (UInt.bitWidth - 1)) &- 1
        }

        @inline(__always) static func select(_ mask: UInt, _ a: UInt, _ b: UInt) -> UInt { (mask & a) | (~mask & b) }
    }
}
