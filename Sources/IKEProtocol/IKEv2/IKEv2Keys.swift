import CryptoFramework

/// The keys of an IKE SA (RFC 7296 §2.14): SK_d for child SAs, SK_ai/SK_ar for
/// integrity, SK_ei/SK_er for encryption, SK_pi/SK_pr for the AUTH payloads.
/// Immutable, in one shared object: the responder's turns and its
/// ``IKEv2Protection`` hold them with one retain rather than seven.
public final class IKEv2Keys: Sendable {
    public let skD: SecureBytes
    public let skAi: SecureBytes
    public let skAr: SecureBytes
    public let skEi: SecureBytes
    public let skEr: SecureBytes
    public let skPi: SecureBytes
    public let skPr: SecureBytes

    public init(skD: SecureBytes, skAi: SecureBytes, skAr: SecureBytes, skEi: SecureBytes, skEr: SecureBytes,
                skPi: SecureBytes, skPr: SecureBytes) {
        self.skD = skD
        self.skAi = skAi
        self.skAr = skAr
        self.skEi = skEi
        self.skEr = skEr
        self.skPi = skPi
        self.skPr = skPr
    }
}

public enum IKEv2KeyDerivation {
    /// prf+ (RFC 7296 §2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n),
    /// concatenated to `length` bytes. At most 255 blocks.
    public static func prfPlus(_ prf: IKEv2Suite.PRF, key: SecureBytes, seed: SecureBytes, length: Int,
                               session: IKECryptoSession) async throws -> SecureBytes {
        var stream = try await prfPlusBlocks(prf, key: key, seed: seed, length: length, session: session)
        return try stream.next(min(max(length, 0), stream.available))
    }

    /// prf+'s blocks T1, T2, … enough for `length` bytes, each in the wiping
    /// buffer the PRF returned, to be cut into keys without first being
    /// concatenated.
    static func prfPlusBlocks(_ prf: IKEv2Suite.PRF, key: SecureBytes, seed: SecureBytes, length: Int,
                              session: IKECryptoSession) async throws -> KeyStream {
        let blocks = (length + prf.outputBytes - 1) / prf.outputBytes
        guard blocks <= 255 else { throw IKEv2Error(.cryptoFailure, "prf+ asked for \(length) bytes: more than 255 blocks") }
        var out: [SecureBytes] = []
        out.reserveCapacity(max(blocks, 1))
        var previous: SecureBytes?
        for n in 1...max(blocks, 1) {
            // Tn-1 | S | n, written straight into one wiping buffer.
            let input = try SecureBytes(exactly: (previous?.count ?? 0) + seed.count + 1) { w in
                if let previous { try w.append(previous) }
                try w.append(seed)
                try w.append(UInt8(n))
            }
            let block = try await session.prf(prf, key: key, input)
            out.append(block)
            previous = block
        }
        return KeyStream(blocks: out)
    }

    /// prf+'s output T1 | T2 | … read in order, each key copied once from the
    /// blocks' buffers into its own.
    struct KeyStream {
        let blocks: [SecureBytes]
        /// Bytes read so far.
        private(set) var offset = 0
        /// Bytes left to read.
        var available: Int { blocks.reduce(0) { $0 + $1.count } - offset }

        init(blocks: [SecureBytes]) { self.blocks = blocks }

        /// The next `count` bytes (`argumentsBad` past the end).
        mutating func next(_ count: Int) throws -> SecureBytes {
            var skip = offset
            let key = try SecureBytes(exactly: count) { w in
                for block in blocks where w.remaining > 0 {
                    guard skip < block.count else {
                        skip -= block.count
                        continue
                    }
                    try block.withUnsafeBytes { b in
                        try w.append(UnsafeRawBufferPointer(rebasing: b[skip..<min(b.count, skip + w.remaining)]))
                    }
                    skip = 0
                }
            }
            offset += count
            return key
        }
    }

    /// SKEYSEED = prf(Ni | Nr, g^ir) and {SK_d | SK_ai | SK_ar | SK_ei | SK_er |
    /// SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (RFC 7296 §2.14).
    /// RFC 7296 §2.14's note on PRFs with fixed key sizes does not apply: the HMAC PRFs take any key.
    public static func derive(_ suite: IKEv2Suite, sharedSecret gir: SecureBytes, initiatorNonce ni: [UInt8], responderNonce nr: [UInt8],
                              initiatorSPI: [UInt8], responderSPI: [UInt8], session: IKECryptoSession) async throws -> IKEv2Keys {
        let skeyseed = try await session.prf(suite.prf, key: SecureBytes.nonces(ni, nr), gir)
        let p = suite.prf.outputBytes
        let a = suite.integrity?.keyBytes ?? 0  // none with an AEAD: SK_ai and SK_ar are empty
        let e = suite.encryption.keyMaterialBytes  // GCM: the key and its salt (RFC 5282 §7.1)
        var material = try await prfPlusBlocks(suite.prf, key: skeyseed, seed: SecureBytes.nonces(ni, nr, spis: (initiatorSPI, responderSPI)),
                                               length: 3 * p + 2 * a + 2 * e, session: session)
        // Each key cut straight from the PRF's wiping buffers: no plain copy, no concatenated copy.
        return IKEv2Keys(skD: try material.next(p), skAi: try material.next(a), skAr: try material.next(a), skEi: try material.next(e),
                         skEr: try material.next(e), skPi: try material.next(p), skPr: try material.next(p))
    }
}

extension SecureBytes {
    /// Ni | Nr (and, for prf+'s seed, SPIi | SPIr after them) in one wiping buffer.
    static func nonces(_ ni: [UInt8], _ nr: [UInt8], spis: (i: [UInt8], r: [UInt8])? = nil) throws -> SecureBytes {
        try SecureBytes(exactly: ni.count + nr.count + (spis.map { $0.i.count + $0.r.count } ?? 0)) { w in
            try w.append(ni)
            try w.append(nr)
            if let spis {
                try w.append(spis.i)
                try w.append(spis.r)
            }
        }
    }
}

/// The SK payload of one IKE SA (RFC 7296 §3.14), by the suite's cipher:
/// - AES-CBC: a random IV, padding and pad length, and an HMAC ICV over the
///   whole message from the IKE header to the end of the ciphertext;
/// - AES-GCM-16 (RFC 5282 §3, §5.1): an 8-byte explicit IV (a counter: unique
///   for the key, as §3.1 requires), the nonce salt ‖ IV with the 4-byte salt
///   that follows the key in SK_e, the pad length byte (no padding), and GCM's
///   16-byte tag as the ICV; the associated data is the message up to the IV
///   (the IKE header and the SK payload's header; RFC 7383 §2.5 adds an SKF's
///   Fragment Number and Total Fragments, which come before the IV too).
/// Each side seals with its own keys (initiator: SK_ei/SK_ai) and opens with the other's.
public struct IKEv2Protection: Sendable {
    public let suite: IKEv2Suite
    /// The SA's keys, shared (a copy of this value is two retains, not one per key).
    private let keys: IKEv2Keys
    private let isInitiator: Bool
    var sealKeys: (encryption: SecureBytes, integrity: SecureBytes) {
        isInitiator ? (keys.skEi, keys.skAi) : (keys.skEr, keys.skAr)
    }
    var openKeys: (encryption: SecureBytes, integrity: SecureBytes) {
        isInitiator ? (keys.skEr, keys.skAr) : (keys.skEi, keys.skAi)
    }
    /// GCM's explicit IVs, shared by copies of this value.
    private let ivCounter = IKEv2IVCounter()

    public init(suite: IKEv2Suite, keys: IKEv2Keys, isInitiator: Bool) {
        self.suite = suite
        self.keys = keys
        self.isInitiator = isInitiator
    }

    /// The whole message: `header` (its next payload and length set here),
    /// `clear` payloads before SK (none in the exchanges we serve), and
    /// `inner` encrypted in SK.
    public func seal(_ header: IKEv2Header, inner: [IKEv2Payload], session: IKECryptoSession) async throws -> [UInt8] {
        // Encoded with room for the padding and pad length (at most one block), appended in place.
        try await seal(header, plain: IKEv2PayloadChain.encode(inner, reserving: suite.encryption.blockSize),
                       firstInner: inner.first?.typeValue ?? 0, session: session)
    }

    /// Seals an already-encoded payload chain (also one fragment's share of it).
    func seal(_ header: IKEv2Header, plain: consuming [UInt8], firstInner: UInt8, fragment: (number: UInt16, total: UInt16)? = nil,
              session: IKECryptoSession) async throws -> [UInt8] {
        let enc = suite.encryption
        var padded = plain
        let padLength = (enc.blockSize - (padded.count + 1) % enc.blockSize) % enc.blockSize
        padded.append(contentsOf: repeatElement(0, count: padLength))
        padded.append(UInt8(padLength))
        let icvBytes = suite.icvBytes
        // Fragment Number and Total Fragments (RFC 7383 §2.5) come before the IV.
        let fragmentFieldBytes = fragment == nil ? 0 : 4
        // CBC and GCM ciphertexts are as long as the padded plaintext.
        let payloadLength = 4 + fragmentFieldBytes + enc.ivSize + padded.count + icvBytes
        var h = header
        h.nextPayload = fragment == nil ? IKEv2PayloadType.encrypted.rawValue : IKEv2PayloadType.encryptedFragment.rawValue
        // One buffer for the whole message: header, SK header, IV, ciphertext and ICV.
        var w = ByteWriter(capacity: IKEv2Header.size + payloadLength)
        h.encode(into: &w, length: IKEv2Header.size + payloadLength)
        w.u8(firstInner)
        w.u8(0)
        w.u16(UInt16(payloadLength))
        if let fragment {
            w.u16(fragment.number)
            w.u16(fragment.total)
        }
        if enc.isAEAD {
            let (key, salt) = Self.splitAEADKey(sealKeys.encryption, enc)
            let iv = ivCounter.next()
            // The associated data is the message so far (up to the IV).
            let sealed = try await session.sealAEAD(enc, key: key, nonce: salt + iv, aad: w.bytes, padded)  // ciphertext ‖ tag
            w.append(iv)
            w.append(sealed)
            return w.bytes
        }
        guard let integrity = suite.integrity else {
            throw IKEv2Error(.cryptoFailure, "suite \(suite.proposalName) has neither an AEAD cipher nor an integrity algorithm")
        }
        let iv = IKERandom.bytes(enc.ivSize)
        let cipher = try await session.encrypt(enc, key: sealKeys.encryption, iv: iv, padded)
        w.append(iv)
        w.append(cipher)
        // The ICV: the HMAC's first icvBytes, appended from its buffer.
        let mac = try await session.integrityMAC(integrity, key: sealKeys.integrity, w.bytes)
        mac.withUnsafeBytes { w.append($0.prefix(icvBytes)) }
        return w.bytes
    }

    /// SK_e of an AEAD: the key (kept in a wiping buffer, never copied to a
    /// plain array) and the salt that follows it (RFC 5282 §7.1), which goes
    /// into the nonce.
    static func splitAEADKey(_ material: SecureBytes, _ enc: IKEv2Suite.Encryption) -> (key: SecureBytes, salt: [UInt8]) {
        let salt = material.withUnsafeBytes { Array($0[enc.keyBytes..<enc.keyMaterialBytes]) }
        return (material.prefix(enc.keyBytes), salt)
    }

    /// Checks the ICV of `message` (whose last payload is SK or SKF, `skBody`
    /// its IV, ciphertext and ICV) and decrypts it: the inner payload chain's
    /// bytes, without padding. A wrong ICV (HMAC or GCM tag), a short payload
    /// or bad padding is `integrityFailure`: RFC 7296 §2.21.2 has such a
    /// message dropped without an answer.
    public func openPlain(_ message: [UInt8], skBody: [UInt8], session: IKECryptoSession) async throws -> [UInt8] {
        try await openPlain(message, skBody: skBody[...], session: session)
    }

    /// ``openPlain(_:skBody:session:)`` with the SK body read in place from the message.
    func openPlain(_ message: [UInt8], skBody: ArraySlice<UInt8>, session: IKECryptoSession) async throws -> [UInt8] {
        let enc = suite.encryption
        let icvBytes = suite.icvBytes
        // CBC: at least one block of ciphertext; GCM: at least the pad length byte.
        let shortest = enc.ivSize + (enc.isAEAD ? 1 : enc.blockSize) + icvBytes
        guard skBody.count >= shortest, message.count >= skBody.count + IKEv2Header.size + 4 else {
            throw IKEv2Error(.integrityFailure, "SK payload of \(skBody.count) bytes is shorter than its IV, \(enc.isAEAD ? "pad length" : "one block") and ICV (\(shortest) bytes)")
        }
        let iv = Array(skBody.prefix(enc.ivSize))
        var plain: [UInt8]
        if enc.isAEAD {
            let (key, salt) = Self.splitAEADKey(openKeys.encryption, enc)
            let aad = Array(message.prefix(message.count - skBody.count))
            plain = try await session.openAEAD(enc, key: key, nonce: salt + iv, aad: aad, Array(skBody.dropFirst(enc.ivSize)))
        } else {
            guard let integrity = suite.integrity else {
                throw IKEv2Error(.cryptoFailure, "suite \(suite.proposalName) has neither an AEAD cipher nor an integrity algorithm")
            }
            // The ICV covers the message up to itself, read from the message without a plain copy.
            let verified = try await session.integrityVerifies(integrity, key: openKeys.integrity, message, covering: message.count - icvBytes)
            guard verified else {
                throw IKEv2Error(.integrityFailure, "SK payload's integrity checksum does not verify")
            }
            let cipher = Array(skBody.dropFirst(enc.ivSize).dropLast(icvBytes))
            guard cipher.count % enc.blockSize == 0 else {
                throw IKEv2Error(.integrityFailure, "SK ciphertext of \(cipher.count) bytes is not whole \(enc.blockSize)-byte blocks")
            }
            plain = try await session.decrypt(enc, key: openKeys.encryption, iv: iv, cipher)
        }
        guard let last = plain.last, Int(last) + 1 <= plain.count else {
            throw IKEv2Error(.integrityFailure, "SK pad length \(plain.last.map(String.init) ?? "(none)") exceeds the \(plain.count) decrypted bytes")
        }
        plain.removeLast(Int(last) + 1)  // in place: the decrypted array is ours alone
        return plain
    }

    /// Opens a parsed message whose last payload is SK: the inner payloads.
    public func open(_ message: [UInt8], parsed: IKEv2Message, session: IKECryptoSession) async throws -> [IKEv2Payload] {
        guard case .encrypted(let first, let body)? = parsed.payloads.last else {
            throw IKEv2Error.missingSK(parsed.header)
        }
        let plain = try await openPlain(message, skBody: body, session: session)
        return try IKEv2PayloadChain.parse(first: first, plain[...], context: "SK payload")
    }

    /// Opens a message whose SK payload was found in place (``IKEv2PayloadChain/protectedPayload(first:_:context:)``): the inner payloads.
    func open(_ message: [UInt8], sk: IKEv2ProtectedPayload, session: IKECryptoSession) async throws -> [IKEv2Payload] {
        let plain = try await openPlain(message, skBody: sk.body, session: session)
        return try IKEv2PayloadChain.parse(first: sk.firstInner, plain[...], context: "SK payload")
    }
}

/// GCM's explicit IVs for one IKE SA direction: 1, 2, 3 … as 8 big-endian
/// bytes, so none repeats under a key (RFC 5282 §3.1); shared by copies of
/// the ``IKEv2Protection`` that holds it.
final class IKEv2IVCounter: Sendable {
    private let value = Locked<UInt64>(0)

    func next() -> [UInt8] {
        let n = value.withLock { v -> UInt64 in
            v += 1
            return v
        }
        return (0..<8).map { UInt8(truncatingIfNeeded: n >> (56 - 8 * $0)) }
    }
}
