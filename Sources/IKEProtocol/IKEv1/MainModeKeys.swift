import CryptoFramework

/// The keying material of a Main Mode exchange (RFC 2409 §5 and Appendix B).
public struct MainModeKeys: Sendable {
    public let skeyid: SecureBytes
    public let skeyidD: SecureBytes
    public let skeyidA: SecureBytes
    public let skeyidE: SecureBytes
    /// The cipher key taken from SKEYID_e (expanded when SKEYID_e is too short).
    public let cipherKey: SecureBytes
    /// IV of message 5: hash(g^xi | g^xr) truncated to the cipher's block.
    public let initialIV: [UInt8]
}

/// The inputs both sides agree on once messages 1–4 are exchanged.
public struct MainModeExchangeValues: Sendable {
    public var initiatorCookie: [UInt8]
    public var responderCookie: [UInt8]
    public var initiatorNonce: [UInt8]
    public var responderNonce: [UInt8]
    public var initiatorPublic: [UInt8]   // g^xi as sent in KE
    public var responderPublic: [UInt8]   // g^xr
    public var initiatorSA: [UInt8]       // SAi_b

    public init(initiatorCookie: [UInt8], responderCookie: [UInt8], initiatorNonce: [UInt8], responderNonce: [UInt8],
                initiatorPublic: [UInt8], responderPublic: [UInt8], initiatorSA: [UInt8]) {
        self.initiatorCookie = initiatorCookie
        self.responderCookie = responderCookie
        self.initiatorNonce = initiatorNonce
        self.responderNonce = responderNonce
        self.initiatorPublic = initiatorPublic
        self.responderPublic = responderPublic
        self.initiatorSA = initiatorSA
    }
}

/// Derivations of RFC 2409 for signature authentication, each PRF and hash
/// through the framework.
public enum MainModeKeyDerivation {
    /// SKEYID = prf(Ni_b | Nr_b, g^xy) (RFC 2409 §5, signatures);
    /// SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0);
    /// SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1);
    /// SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2);
    /// the cipher key from SKEYID_e (Appendix B) and the first IV.
    public static func derive(
        _ suite: IKESuite, _ v: MainModeExchangeValues, sharedSecret gxy: SecureBytes, session: IKECryptoSession
    ) async throws -> MainModeKeys {
        // g^xy and everything derived from it stay in SecureBytes: the PRF inputs
        // are joined buffer to buffer, never through a plain array.
        // [prior |] g^xy | CKY-I | CKY-R | n, each part copied once into one buffer.
        func input(_ prior: SecureBytes?, _ n: UInt8) throws -> SecureBytes {
            try SecureBytes(exactly: (prior?.count ?? 0) + gxy.count + v.initiatorCookie.count + v.responderCookie.count + 1) { w in
                if let prior { try w.append(prior) }
                try w.append(gxy)
                try w.append(v.initiatorCookie)
                try w.append(v.responderCookie)
                try w.append(n)
            }
        }
        let skeyid = try await session.prf(suite, key: SecureBytes.nonces(v.initiatorNonce, v.responderNonce), gxy)
        let d = try await session.prf(suite, key: skeyid, input(nil, 0))
        let a = try await session.prf(suite, key: skeyid, input(d, 1))
        let e = try await session.prf(suite, key: skeyid, input(a, 2))
        let key = try await cipherKey(suite, skeyidE: e, session: session)
        var publics: [UInt8] = []
        publics.reserveCapacity(v.initiatorPublic.count + v.responderPublic.count)
        publics.append(contentsOf: v.initiatorPublic)
        publics.append(contentsOf: v.responderPublic)
        let iv = try await session.hash(suite, publics)
        return MainModeKeys(skeyid: skeyid, skeyidD: d, skeyidA: a, skeyidE: e, cipherKey: key,
                            initialIV: Array(iv.prefix(suite.cipher.blockSize)))
    }

    /// RFC 2409 Appendix B: the first bytes of SKEYID_e, or when it is shorter
    /// than the key, Ka = K1 | K2 | … with K1 = prf(SKEYID_e, 0) (one zero
    /// byte) and Kn = prf(SKEYID_e, Kn−1).
    public static func cipherKey(_ suite: IKESuite, skeyidE: SecureBytes, session: IKECryptoSession) async throws -> SecureBytes {
        let need = suite.cipher.keyBytes
        if skeyidE.count >= need { return skeyidE.prefix(need) }
        var blocks: [SecureBytes] = []
        var k = try await session.prf(suite, key: skeyidE, SecureBytes([0]))
        blocks.append(k)
        while blocks.reduce(0, { $0 + $1.count }) < need {
            k = try await session.prf(suite, key: skeyidE, k)
            blocks.append(k)
        }
        return SecureBytes(concatenating: blocks).prefix(need)
    }

    /// HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b).
    public static func hashI(_ suite: IKESuite, _ keys: MainModeKeys, _ v: MainModeExchangeValues, idI: [UInt8], session: IKECryptoSession) async throws -> [UInt8] {
        try await hashI(suite, keys, v, .encoded(idI), session)
    }

    /// ``hashI(_:_:_:idI:session:)`` over the initiator's ID, its body written straight into the PRF input.
    static func hashI(_ suite: IKESuite, _ keys: MainModeKeys, _ v: MainModeExchangeValues, id: Identification, session: IKECryptoSession) async throws -> [UInt8] {
        try await hashI(suite, keys, v, .identification(id), session)
    }

    private static func hashI(_ suite: IKESuite, _ keys: MainModeKeys, _ v: MainModeExchangeValues, _ id: IDBody,
                              _ session: IKECryptoSession) async throws -> [UInt8] {
        try await session.prf(suite, key: keys.skeyid, hashInput(v.initiatorPublic, v.responderPublic, v.initiatorCookie, v.responderCookie,
                                                              v.initiatorSA, id: id)).bytes
    }

    /// HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b).
    public static func hashR(_ suite: IKESuite, _ keys: MainModeKeys, _ v: MainModeExchangeValues, idR: [UInt8], session: IKECryptoSession) async throws -> [UInt8] {
        try await hashR(suite, keys, v, .encoded(idR), session)
    }

    /// ``hashR(_:_:_:idR:session:)`` over our ID, its body written straight into the PRF input.
    static func hashR(_ suite: IKESuite, _ keys: MainModeKeys, _ v: MainModeExchangeValues, id: Identification, session: IKECryptoSession) async throws -> [UInt8] {
        try await hashR(suite, keys, v, .identification(id), session)
    }

    private static func hashR(_ suite: IKESuite, _ keys: MainModeKeys, _ v: MainModeExchangeValues, _ id: IDBody,
                              _ session: IKECryptoSession) async throws -> [UInt8] {
        try await session.prf(suite, key: keys.skeyid, hashInput(v.responderPublic, v.initiatorPublic, v.responderCookie, v.initiatorCookie,
                                                              v.initiatorSA, id: id)).bytes
    }

    /// The ID part of a HASH input: an encoded body, or the ID to encode into the input.
    private enum IDBody {
        case encoded([UInt8])
        case identification(Identification)
    }

    /// The six parts of HASH_I's or HASH_R's PRF input in one wiping buffer.
    private static func hashInput(_ a: [UInt8], _ b: [UInt8], _ c: [UInt8], _ d: [UInt8], _ e: [UInt8], id: IDBody) throws -> SecureBytes {
        let idCount = switch id {
        case .encoded(let bytes): bytes.count
        case .identification(let i): i.encodedCount
        }
        return try SecureBytes(exactly: a.count + b.count + c.count + d.count + e.count + idCount) { w in
            try w.append(a)
            try w.append(b)
            try w.append(c)
            try w.append(d)
            try w.append(e)
            switch id {
            case .encoded(let bytes): try w.append(bytes)
            case .identification(let i): try i.write(into: &w)
            }
        }
    }
}

/// CBC over the payload chain of messages 5 and 6 (RFC 2409 Appendix B):
/// zero padding to the block size, the next message's IV is the last
/// ciphertext block of the previous one.
public struct MainModeCipher: Sendable {
    public let suite: IKESuite
    public let key: SecureBytes
    public private(set) var iv: [UInt8]

    public init(suite: IKESuite, key: SecureBytes, iv: [UInt8]) {
        self.suite = suite
        self.key = key
        self.iv = iv
    }

    public mutating func encrypt(_ plain: consuming [UInt8], session: IKECryptoSession) async throws -> [UInt8] {
        let block = suite.cipher.blockSize
        // "padded up to the nearest block size using bytes containing 0x00" (RFC 2409 Appendix B),
        // in place when the chain's array has room.
        var padded = plain
        padded.append(contentsOf: repeatElement(0, count: (block - padded.count % block) % block))
        let cipher = try await session.encrypt(suite, key: key, iv: iv, padded)
        iv = Array(cipher.suffix(block))
        return cipher
    }

    public mutating func decrypt(_ cipher: ArraySlice<UInt8>, session: IKECryptoSession) async throws -> [UInt8] {
        let block = suite.cipher.blockSize
        guard !cipher.isEmpty, cipher.count % block == 0 else {
            throw ISAKMPError(.payloadMalformed,
                "encrypted body of \(cipher.count) bytes is not a whole number of \(block)-byte blocks")
        }
        let plain = try await session.decrypt(suite, key: key, iv: iv, Array(cipher))
        iv = Array(cipher.suffix(block))
        return plain
    }
}
