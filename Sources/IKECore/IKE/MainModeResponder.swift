import CryptoFramework

/// The responder of IKEv1 Main Mode with signature authentication (RFC 2409 §5.1):
///
///     1  HDR, SA                 →
///                                ←  2  HDR, SA
///     3  HDR, KE, Ni             →
///                                ←  4  HDR, KE, Nr
///     5  HDR*, IDii, [CERT,] SIG_I →
///                                ←  6  HDR*, IDir, SIG_R
///
/// Every operation goes through the framework of its ``IKECryptoSession``.
/// Any malformed, out-of-order or tampered message is an ``ISAKMPError``.
public final class MainModeResponder {
    public enum State: Sendable { case awaitingSA, awaitingKE, awaitingAuthentication, established }

    public let suite: IKESuite
    public let session: IKECryptoSession
    private let identity: RSAPrivateKey
    private let initiatorKey: RSAPublicKey
    private let id: Identification
    public private(set) var state = State.awaitingSA

    private let cookie: [UInt8]
    private let nonce: [UInt8]
    private var values: MainModeExchangeValues
    private var keys: MainModeKeys?
    private var cipher: MainModeCipher?
    /// The initiator's identity once authenticated.
    public private(set) var peerID: Identification?

    /// `identity`: our signature key; `initiatorKey`: the public key the
    /// initiator must have signed with (configured, as with `cert_trust`).
    public init(suite: IKESuite, session: IKECryptoSession, identity: RSAPrivateKey, initiatorKey: RSAPublicKey,
                id: Identification, cookie: [UInt8] = IKERandom.bytes(8), nonce: [UInt8] = IKERandom.bytes(16)) {
        self.suite = suite
        self.session = session
        self.identity = identity
        self.initiatorKey = initiatorKey
        self.id = id
        self.cookie = cookie
        self.nonce = nonce
        self.values = MainModeExchangeValues(initiatorCookie: [], responderCookie: cookie, initiatorNonce: [],
                                             responderNonce: nonce, initiatorPublic: [], responderPublic: [], initiatorSA: [])
    }

    /// Handles one message from the initiator and returns the reply.
    public func receive(_ bytes: [UInt8]) async throws -> [UInt8] {
        switch state {
        case .awaitingSA: return try message1(bytes)
        case .awaitingKE: return try await message3(bytes)
        case .awaitingAuthentication: return try await message5(bytes)
        case .established:
            throw ISAKMPError(.unexpectedMessage, "Main Mode is already complete")
        }
    }

    // 1 → 2: choose the transform.
    private func message1(_ bytes: [UInt8]) throws -> [UInt8] {
        let m = try ISAKMPMessage.parse(bytes)
        try MainModeChecks.header(m.header, exchange: 1)
        guard m.header.responderCookie.allSatisfy({ $0 == 0 }) else {
            throw ISAKMPError(.invalidCookie, "message 1 carries a non-zero responder cookie")
        }
        guard case .securityAssociation(let sa)? = m.first(.securityAssociation) else {
            throw ISAKMPError(.payloadMalformed, "message 1 has no SA payload")
        }
        var chosen: (Proposal, Transform)?
        for p in sa.proposals {
            if let t = p.transforms.first(where: suite.matches) { chosen = (p, t); break }
        }
        guard let (proposal, transform) = chosen else {
            throw ISAKMPError(.noProposalChosen, "no transform offers \(suite)")
        }
        values.initiatorCookie = m.header.initiatorCookie
        values.initiatorSA = sa.encodedBody
        state = .awaitingKE
        let reply = SecurityAssociation(proposals: [Proposal(number: proposal.number, transforms: [transform])])
        return ISAKMPMessage(header: header(), payloads: [.securityAssociation(reply)]).encoded()
    }

    // 3 → 4: DH generate and agree, SKEYID chain, IV.
    private func message3(_ bytes: [UInt8]) async throws -> [UInt8] {
        let m = try ISAKMPMessage.parse(bytes)
        try checkCookies(m.header, exchange: 3)
        guard case .keyExchange(let gxi)? = m.first(.keyExchange) else {
            throw ISAKMPError(.payloadMalformed, "message 3 has no KE payload")
        }
        guard case .nonce(let ni)? = m.first(.nonce) else {
            throw ISAKMPError(.payloadMalformed, "message 3 has no NONCE payload")
        }
        let pair = try await session.generateDH(suite.group, privateBits: suite.dhPrivateBits)
        let gxy = try await session.deriveDH(pair.privateKey, peer: gxi)
        values.initiatorPublic = gxi
        values.initiatorNonce = ni
        values.responderPublic = pair.publicValue
        let k = try await MainModeKeyDerivation.derive(suite, values, sharedSecret: gxy, session: session)
        keys = k
        cipher = MainModeCipher(suite: suite, key: k.cipherKey, iv: k.initialIV)
        state = .awaitingAuthentication
        return ISAKMPMessage(header: header(), payloads: [.keyExchange(pair.publicValue), .nonce(nonce)]).encoded()
    }

    // 5 → 6: decrypt, HASH_I, verify SIG_I, HASH_R, sign, encrypt.
    private func message5(_ bytes: [UInt8]) async throws -> [UInt8] {
        let (h, body) = try ISAKMPMessage.parseHeader(bytes)
        try checkCookies(h, exchange: 5)
        guard h.flags.contains(.encryption) else {
            throw ISAKMPError(.invalidFlags, "message 5 is not encrypted")
        }
        guard var cipher, let keys else { throw ISAKMPError(.unexpectedMessage, "no keys for message 5") }
        let plain = try await cipher.decrypt(body, session: session)
        let payloads = try ISAKMPMessage.parsePayloads(first: h.nextPayload, plain[...], trailingAllowed: suite.cipher.blockSize - 1)
        guard case .identification(let idI)? = payloads.first(where: { $0.type == .identification }) else {
            throw ISAKMPError(.invalidIDInformation, "message 5 has no ID payload")
        }
        guard case .signature(let sigI)? = payloads.first(where: { $0.type == .signature }) else {
            throw ISAKMPError(.invalidSignature, "message 5 has no SIG payload")
        }
        let hashI = try await MainModeKeyDerivation.hashI(suite, keys, values, idI: idI.encodedBody, session: session)
        guard try await session.verify(hashI, signature: sigI, key: initiatorKey) else {
            throw ISAKMPError(.authenticationFailed, "SIG_I does not verify over HASH_I with the initiator's public key")
        }
        peerID = idI
        let hashR = try await MainModeKeyDerivation.hashR(suite, keys, values, idR: id.encodedBody, session: session)
        let sigR = try await session.sign(hashR, key: identity)
        let chain: [Payload] = [.identification(id), .signature(sigR)]
        let encrypted = try await cipher.encrypt(ISAKMPMessage.encodePayloads(chain), session: session)
        self.cipher = cipher
        state = .established
        return ISAKMPMessage.assemble(header: header(flags: .encryption), firstPayload: .identification, body: encrypted)
    }

    private func checkCookies(_ h: ISAKMPHeader, exchange n: Int) throws {
        try MainModeChecks.header(h, exchange: n)
        guard h.initiatorCookie == values.initiatorCookie, h.responderCookie == cookie else {
            throw ISAKMPError(.invalidCookie, "message \(n) carries cookies of another exchange")
        }
    }

    private func header(flags: ISAKMPHeader.Flags = []) -> ISAKMPHeader {
        ISAKMPHeader(initiatorCookie: values.initiatorCookie, responderCookie: cookie, nextPayload: .none, flags: flags)
    }
}

/// Checks every Main Mode message header shares.
enum MainModeChecks {
    static func header(_ h: ISAKMPHeader, exchange n: Int) throws {
        guard h.exchangeType == .identityProtection else {
            throw ISAKMPError(.invalidExchangeType, "message \(n) is exchange type \(h.exchangeType.rawValue), not Identity Protection (2)")
        }
        guard h.messageID == 0 else {
            throw ISAKMPError(.invalidMessageID, "Phase I message \(n) has message ID \(h.messageID), expected 0")
        }
    }
}

/// Cookies and nonces: not cryptographic operations of the benchmark, so they
/// come from the system's CSPRNG (getrandom on Linux) rather than the framework.
public enum IKERandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &g) }
    }
}
