import CryptoFramework
import IKEProtocol
import IKEHarness
import IKETestKit
import Testing

/// Main Mode over the elliptic-curve groups (RFC 5903's ECP-256/384/521, Curve25519)
/// and with ECDSA authentication (RFC 4754), our initiator against our responder.
@Suite("IKEv1 EC groups and ECDSA authentication")
struct ECMainModeTests {
    static let keySource = IKETestSupport.initiatorFramework

    /// An initiator and a responder that sign with `method` (ECDSA keys on its curve, or the shared RSA keys).
    static func pair(_ suite: IKESuite, responderFramework: CryptoFramework = IKETestSupport.host) async throws
        -> (MainModeInitiator, MainModeResponder)
    {
        let (mine, theirs): (IKESigningKey, IKESigningKey)
        let (minePublic, theirsPublic): (IKEPublicKey, IKEPublicKey)
        if let curve = suite.authentication.curve {
            let i = try await keySource.generateECKeyPair(curve: curve), r = try await keySource.generateECKeyPair(curve: curve)
            (mine, theirs) = (.ec(i), .ec(r))
            (minePublic, theirsPublic) = (.ec(i.publicKey!), .ec(r.publicKey!))
        } else {
            let ids = IKETestSupport.identities
            (mine, theirs) = (.rsa(ids.initiator), .rsa(ids.responder))
            (minePublic, theirsPublic) = (.rsa(ids.initiator.publicKey), .rsa(ids.responder.publicKey))
        }
        let initiator = MainModeInitiator(
            suite: suite, session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
            identity: MainModeIdentity(signingKey: mine, id: IKEIdentities.initiatorID), responders: FixedPeerPublicKey(theirsPublic))
        let responder = MainModeResponder(
            configuration: MainModeResponderConfiguration(
                suites: [suite], identity: MainModeIdentity(signingKey: theirs, id: IKEIdentities.responderID),
                peers: FixedPeerPublicKey(minePublic)),
            session: IKECryptoSession(framework: responderFramework))
        return (initiator, responder)
    }

    static func run(_ initiator: MainModeInitiator, _ responder: MainModeResponder,
                    alter: ([UInt8], Int) throws -> [UInt8] = { m, _ in m }) async throws {
        let m2 = try await responder.receive(try alter(initiator.start(), 1))
        let m4 = try await responder.receive(try alter(try await initiator.message3(after: m2), 3))
        let m6 = try await responder.receive(try alter(try await initiator.message5(after: m4), 5))
        try await initiator.finish(m6)
    }

    static let cases: [(String, IKEAuthentication)] = [
        ("aes128-sha256-ecp256", .ecdsaP256), ("aes256-sha256-ecp384", .ecdsaP384), ("aes256-sha256-ecp521", .ecdsaP521),
        ("aes128-sha256-curve25519", .rsaSignatures), ("aes128-sha1-ecp256", .rsaSignatures),
    ]

    @Test("EC groups and ECDSA establish", arguments: cases)
    func establishes(_ c: (String, IKEAuthentication)) async throws {
        let suite = IKESuite(proposalName: c.0)!.authenticated(by: c.1)
        let (initiator, responder) = try await Self.pair(suite, responderFramework: IKETestSupport.host)
        try await Self.run(initiator, responder)
        #expect(initiator.isEstablished)
        #expect(await responder.state == .established)
        let records = responder.session.records
        let names = records.map(\.name)
        #expect(names.filter { $0 == .dhGenerate || $0 == .dhDerive }.count == 2)
        #expect(records.first { $0.name == .dhDerive }?.mechanism == .ecdh1Derive)
        if c.1 == .rsaSignatures {
            #expect(names.contains(.rsaSign) && names.contains(.rsaVerify) && !names.contains(.ecSign))
        } else {
            #expect(records.filter { $0.name == .ecSign || $0.name == .ecVerify }.map(\.mechanism) == [.ecdsa, .ecdsa],
                    "\(names)")
            #expect(!names.contains(.rsaSign))
        }
    }

    @Test("the transform carries the RFC 5903 group number and the RFC 4754 method")
    func transformAttributes() throws {
        for (name, group) in [("ecp256", 19), ("ecp384", 20), ("ecp521", 21), ("curve25519", 31)] {
            let suite = IKESuite(proposalName: "aes128-sha256-\(name)")!.authenticated(by: .ecdsaP256)
            #expect(suite.transform.value(.groupDescription) == UInt64(group))
            #expect(suite.transform.value(.authenticationMethod) == 9)
            #expect(suite.proposalName == "aes128-sha256-\(name)")
            #expect(IKESuite(proposalName: "aes128-sha256-\(group)")?.keyExchange == suite.keyExchange)
        }
        #expect(IKEKeyExchange.ec(.p256).publicValueByteCount == 64)
        #expect(IKEKeyExchange.ec(.p521).publicValueByteCount == 132)
        #expect(IKEKeyExchange.ec(.x25519).publicValueByteCount == 32)
        #expect(IKESuite(proposalName: "aes128-sha256-ecp224") == nil)
    }

    /// Message 3's KE payload replaced.
    static func withKE(_ message: [UInt8], _ ke: [UInt8]) throws -> [UInt8] {
        var m = try ISAKMPMessage.parse(message)
        m.payloads = m.payloads.map { if case .keyExchange = $0 { return .keyExchange(ke) } else { return $0 } }
        return m.encoded()
    }

    static func expectRefusal(_ code: ISAKMPError.Code, _ suite: IKESuite, ke: [UInt8]) async throws {
        let (initiator, responder) = try await Self.pair(suite)
        do {
            try await Self.run(initiator, responder) { m, n in n == 3 ? try Self.withKE(m, ke) : m }
            Issue.record("expected \(code) for KE \(ke.prefix(8))…")
        } catch let error as ISAKMPError {
            #expect(error.code == code, "\(error)")
        }
    }

    @Test("a peer point off the curve, the identity, a wrong length or a small-order X25519 value is INVALID-KEY-INFORMATION")
    func invalidPeerPoints() async throws {
        let p256 = IKESuite(proposalName: "aes128-sha256-ecp256")!.authenticated(by: .ecdsaP256)
        // (1, 1) is not on P-256: 1 ≠ 1 + a + b.
        try await Self.expectRefusal(.invalidKeyInformation, p256, ke: [UInt8](repeating: 0, count: 31) + [1] + [UInt8](repeating: 0, count: 31) + [1])
        // All zero: (0, 0) is not on the curve either (b ≠ 0).
        try await Self.expectRefusal(.invalidKeyInformation, p256, ke: [UInt8](repeating: 0, count: 64))
        // x = p: a coordinate not below the field prime.
        let p = [UInt8](repeating: 0xFF, count: 4) + [0, 0, 0, 1] + [UInt8](repeating: 0, count: 12) + [UInt8](repeating: 0xFF, count: 12)
        try await Self.expectRefusal(.invalidKeyInformation, p256, ke: p + [UInt8](repeating: 0, count: 32))
        // The uncompressed point with its 04 octet (65 bytes) is not RFC 5903's encoding.
        try await Self.expectRefusal(.invalidKeyInformation, p256, ke: [4] + [UInt8](repeating: 1, count: 64))
        let x25519 = IKESuite(proposalName: "aes128-sha256-curve25519")!
        // u = 0 and u = 1 have small order: the shared secret would be all zero (RFC 7748 §6.1).
        try await Self.expectRefusal(.invalidKeyInformation, x25519, ke: [UInt8](repeating: 0, count: 32))
        try await Self.expectRefusal(.invalidKeyInformation, x25519, ke: [1] + [UInt8](repeating: 0, count: 31))
    }

    @Test("an ECDSA proposal to a responder whose key is RSA is NO-PROPOSAL-CHOSEN; a P-384 signature for a P-256 method is refused")
    func methodMismatch() async throws {
        let ids = IKETestSupport.identities
        let ecdsa = IKESuite(proposalName: "aes128-sha256-ecp256")!.authenticated(by: .ecdsaP256)
        let responder = MainModeResponder(
            configuration: MainModeResponderConfiguration(
                suites: [ecdsa, ecdsa.authenticated(by: .rsaSignatures)],
                identity: MainModeIdentity(key: ids.responder, id: IKEIdentities.responderID),
                peers: FixedPeerKey(ids.initiator.publicKey)),
            session: IKECryptoSession(framework: IKETestSupport.host))
        let key = try await Self.keySource.generateECKeyPair(curve: .p256)
        let initiator = MainModeInitiator(
            suite: ecdsa, session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
            identity: MainModeIdentity(signingKey: .ec(key), id: IKEIdentities.initiatorID), responders: FixedPeerKey(ids.responder.publicKey))
        await Self.expectCode(.noProposalChosen) { _ = try await responder.receive(initiator.start()) }

        // The initiator signs with P-384 although the method says P-256: the signature fits no trusted key.
        let (i, r) = try await Self.pair(ecdsa)
        let other = try await Self.keySource.generateECKeyPair(curve: .p384)
        let m2 = try await r.receive(i.start())
        let m4 = try await r.receive(try await i.message3(after: m2))
        try await i.acceptMessage4(m4)
        let session = IKECryptoSession(framework: Self.keySource)
        let wrong = try await session.sign(try await i.hashI(over: i.id), with: .ec(other), method: .ecdsaP384)
        let m5 = try await i.sealMessage5(ISAKMPMessage.encodePayloads(i.message5Payloads(signature: wrong)))
        await Self.expectCode(.invalidSignature) { _ = try await r.receive(m5) }
    }

    @Test("a responder whose key is Ed25519 (IKEv2 only) refuses every IKEv1 offer with NO-PROPOSAL-CHOSEN saying why")
    func ed25519ResponderRefusesIKEv1() async throws {
        let ids = IKETestSupport.identities
        let ed = try await Self.keySource.generateECKeyPair(curve: .ed25519)
        let suite = IKESuite(proposalName: "aes128-sha256-modp2048")!
        let responder = MainModeResponder(
            configuration: MainModeResponderConfiguration(
                suites: [suite], identity: MainModeIdentity(signingKey: .ec(ed), id: IKEIdentities.responderID),
                peers: FixedPeerKey(ids.initiator.publicKey)),
            session: IKECryptoSession(framework: IKETestSupport.host))
        let initiator = MainModeInitiator(
            suite: suite, session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
            identity: MainModeIdentity(key: ids.initiator, id: IKEIdentities.initiatorID), responders: FixedPeerKey(ids.responder.publicKey))
        do {
            _ = try await responder.receive(initiator.start())
            Issue.record("expected NO-PROPOSAL-CHOSEN")
        } catch let error as ISAKMPError {
            #expect(error.code == .noProposalChosen && error.message.contains("IKEv2 only"), "\(error)")
        }
    }

    static func expectCode(_ code: ISAKMPError.Code, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected \(code)")
        } catch let error as ISAKMPError {
            #expect(error.code == code, "\(error)")
        } catch {
            Issue.record("expected ISAKMPError \(code), got \(error)")
        }
    }
}
