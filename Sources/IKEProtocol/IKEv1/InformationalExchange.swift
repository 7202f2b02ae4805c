import CryptoFramework

/// An informational exchange protected by a Main Mode SA (RFC 2409 §5.7):
///
///     HDR*, HASH(1), N/D      HASH(1) = prf(SKEYID_a, M-ID | N/D)
///
/// encrypted with the Phase I key under its own IV, hash(last Phase I CBC
/// block | M-ID) (RFC 2409 Appendix B). N/D is the payload chain after HASH as
/// sent, generic headers included (what strongSwan and racoon hash).
public struct InformationalProtection: Sendable {
    public let suite: IKESuite
    public let keys: MainModeKeys
    /// The last ciphertext block of Phase I (message 5 or 6).
    public let lastPhaseOneBlock: [UInt8]

    public init(suite: IKESuite, keys: MainModeKeys, lastPhaseOneBlock: [UInt8]) {
        self.suite = suite
        self.keys = keys
        self.lastPhaseOneBlock = lastPhaseOneBlock
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }

    private func cipher(messageID: UInt32, session: IKECryptoSession) async throws -> MainModeCipher {
        let iv = try await session.hash(suite, lastPhaseOneBlock + Self.bigEndian(messageID))
        return MainModeCipher(suite: suite, key: keys.cipherKey, iv: Array(iv.prefix(suite.cipher.blockSize)))
    }

    /// An encrypted informational message carrying `payloads` (N or D) under `cookies`.
    public func seal(_ payloads: [Payload], initiatorCookie: [UInt8], responderCookie: [UInt8],
                     messageID: UInt32 = UInt32.random(in: 1...UInt32.max), session: IKECryptoSession) async throws -> [UInt8] {
        let chain = ISAKMPMessage.encodePayloads(payloads)
        let hash = try await session.prf(suite, key: keys.skeyidA, Self.bigEndian(messageID) + chain).bytes
        var w = ByteWriter()
        GenericPayloadHeader.write(&w, next: payloads.first?.type ?? .none, body: hash)
        var c = try await cipher(messageID: messageID, session: session)
        let encrypted = try await c.encrypt(w.bytes + chain, session: session)
        let header = ISAKMPHeader(initiatorCookie: initiatorCookie, responderCookie: responderCookie, nextPayload: .hash,
                                  exchangeType: .informational, flags: .encryption, messageID: messageID)
        return ISAKMPMessage.assemble(header: header, firstPayload: .hash, body: encrypted)
    }

    /// Decrypts an informational message, checks HASH(1) and returns the payloads after it.
    public func open(_ header: ISAKMPHeader, body: ArraySlice<UInt8>, session: IKECryptoSession) async throws -> [Payload] {
        guard header.exchangeType == .informational, header.flags.contains(.encryption), header.messageID != 0 else {
            throw ISAKMPError(.invalidFlags, "a protected informational message must be encrypted with a non-zero message ID")
        }
        guard header.nextPayload == .hash else {
            throw ISAKMPError(.invalidHashInformation, "informational message does not start with HASH(1)")
        }
        var c = try await cipher(messageID: header.messageID, session: session)
        let plain = try await c.decrypt(body, session: session)
        var r = ByteReader(plain[...], context: "informational message")
        let (next, hash) = try GenericPayloadHeader.read(&r, what: "HASH(1)")
        let rest = r.rest()
        // The chain after HASH ends where its last payload ends; the rest is padding.
        let payloads = try ISAKMPMessage.parsePayloads(first: next, rest, trailingAllowed: suite.cipher.blockSize)
        let signed = Array(rest.prefix(try Self.chainLength(first: next, rest)))
        let expected = try await session.prf(suite, key: keys.skeyidA, Self.bigEndian(header.messageID) + signed).bytes
        guard constantTimeEquals(expected, hash) else {
            throw ISAKMPError(.invalidHashInformation, "HASH(1) of the informational message does not verify")
        }
        return payloads
    }

    /// Bytes taken by the payload chain starting at `first` (padding excluded).
    static func chainLength(first: PayloadType, _ bytes: ArraySlice<UInt8>) throws -> Int {
        var r = ByteReader(bytes, context: "payload chain")
        var type = first
        while type != .none {
            type = try GenericPayloadHeader.read(&r, what: "\(type) payload").next
        }
        return r.position - bytes.startIndex
    }
}
