import CryptoFramework
import IKEHarness
import IKEProtocol
import IKETestKit
import Testing

/// The two shortcuts `ikebench load` may take on its initiators' side, and
/// only there: one reused key-exchange value, and the responder's signature
/// taken unverified. The responder's work must stay whole (it draws, agrees,
/// verifies and signs every time), the initiator must skip what it says and
/// nothing else, and without the flags a real initiator still refuses a
/// responder signing with a key it does not trust.
@Suite("load generator shortcuts: reused key exchange, unverified responder")
struct LoadShortcutTests {
    static let keys = IKETestSupport.initiatorFramework
    static let suiteV1 = IKESuite(proposalName: "aes128-sha256-ecp256")!.authenticated(by: .ecdsaP256)

    /// An IKEv1 ECDSA P-256 initiator trusting `trusted` for the responder, and a responder signing with `responderKey`.
    static func mainMode(responderKey: ECPrivateKey, trusted: IKEPublicKey, initiatorKey: ECPrivateKey,
                         skip: Bool, reused: IKEKeyExchangePair? = nil) -> (MainModeInitiator, MainModeResponder) {
        let initiator = MainModeInitiator(
            suite: suiteV1, session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
            identity: MainModeIdentity(signingKey: .ec(initiatorKey), id: IKEIdentities.initiatorID), responders: FixedPeerPublicKey(trusted))
        initiator.skipsResponderSignatureCheck = skip
        initiator.reusedKeyExchange = reused
        let responder = MainModeResponder(
            configuration: MainModeResponderConfiguration(
                suites: [suiteV1], identity: MainModeIdentity(signingKey: .ec(responderKey), id: IKEIdentities.responderID),
                peers: FixedPeerPublicKey(.ec(initiatorKey.publicKey!))),
            session: IKECryptoSession(framework: IKETestSupport.host))
        return (initiator, responder)
    }

    static func names(_ session: IKECryptoSession) -> [IKEOperationName] { session.records.map(\.name) }

    @Test("IKEv1: with both shortcuts the initiator neither draws a key pair nor verifies; the responder does all four operations, each SA")
    func mainModeShortcuts() async throws {
        let (i, r) = (try await Self.keys.generateECKeyPair(curve: .p256), try await Self.keys.generateECKeyPair(curve: .p256))
        let reused = try await IKECryptoSession(framework: Self.keys).generateKeyExchange(Self.suiteV1)
        var sent: [[UInt8]] = []
        for _ in 0..<2 {
            let (initiator, responder) = Self.mainMode(responderKey: r, trusted: .ec(r.publicKey!), initiatorKey: i, skip: true, reused: reused)
            let m2 = try await responder.receive(initiator.start())
            let m3 = try await initiator.message3(after: m2)
            guard case .keyExchange(let ke)? = try ISAKMPMessage.parse(m3).first(.keyExchange) else { Issue.record("no KE"); return }
            sent.append(ke)
            let m4 = try await responder.receive(m3)
            try await initiator.finish(try await responder.receive(try await initiator.message5(after: m4)))
            #expect(initiator.isEstablished)
            #expect(initiator.peerID == IKEIdentities.responderID)
            #expect(await responder.state == .established)
            let mine = Self.names(initiator.session)
            #expect(!mine.contains(.ecVerify) && !mine.contains(.rsaVerify), "\(mine)")
            #expect(!mine.contains(.dhGenerate), "\(mine)")
            #expect(mine.contains(.dhDerive) && mine.contains(.ecSign), "\(mine)")
            let theirs = Self.names(responder.session)
            for op in [IKEOperationName.dhGenerate, .dhDerive, .ecVerify, .ecSign] {
                #expect(theirs.filter { $0 == op }.count == 1, "the responder's \(op): \(theirs)")
            }
        }
        #expect(sent == [reused.publicValue, reused.publicValue])
    }

    @Test("IKEv1: a responder signing with a key we do not trust fails without the flag, passes with it; a key of the wrong kind fails either way")
    func mainModeWrongKey() async throws {
        let i = try await Self.keys.generateECKeyPair(curve: .p256)
        let (r, other) = (try await Self.keys.generateECKeyPair(curve: .p256), try await Self.keys.generateECKeyPair(curve: .p256))
        do {
            let (initiator, responder) = Self.mainMode(responderKey: r, trusted: .ec(other.publicKey!), initiatorKey: i, skip: false)
            await #expect { try await ECMainModeTests.run(initiator, responder) } throws: {
                ($0 as? ISAKMPError)?.code == .authenticationFailed
            }
            #expect(!initiator.isEstablished)
            #expect(Self.names(initiator.session).contains(.ecVerify))
        }
        do {
            let (initiator, responder) = Self.mainMode(responderKey: r, trusted: .ec(other.publicKey!), initiatorKey: i, skip: true)
            try await ECMainModeTests.run(initiator, responder)
            #expect(initiator.isEstablished)
        }
        do {  // an RSA key trusted for an ECDSA signature: the SIG fits no trusted key, checked without verifying
            let trusted = IKEPublicKey.rsa(IKETestSupport.identities.responder.publicKey)
            let (initiator, responder) = Self.mainMode(responderKey: r, trusted: trusted, initiatorKey: i, skip: true)
            await #expect { try await ECMainModeTests.run(initiator, responder) } throws: {
                ($0 as? ISAKMPError)?.code == .invalidSignature
            }
            #expect(!initiator.isEstablished)
        }
    }

    @Test("IKEv2: with both shortcuts the initiator neither draws a key pair nor verifies; the responder does all four operations, each SA")
    func ikev2Shortcuts() async throws {
        let reused = try await IKECryptoSession(framework: Self.keys).generateKeyExchange(.ecp(.p256))
        var sent: [[UInt8]] = []
        for _ in 0..<2 {
            let pair = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                                 keyR: IKEv2TestKeys.key("p256", initiator: false), childless: true) {
                $0.reusedKeyExchange = reused
                $0.skipsResponderSignatureCheck = true
            }
            let out = try await pair.run()
            #expect(out.peer == IKEv2TestKeys.idR)
            #expect(await pair.responder.state == .established)
            guard case .keyExchange(_, let ke)? = try IKEv2Message.parse(out.firstRequest).first(.keyExchange) else {
                Issue.record("no KE in IKE_SA_INIT"); return
            }
            sent.append(ke)
            let mine = pair.initiator.session.records.map(\.name)
            #expect(!mine.contains(.ecVerify) && !mine.contains(.rsaVerify), "\(mine)")
            #expect(!mine.contains(.dhGenerate), "\(mine)")
            #expect(mine.contains(.dhDerive) && mine.contains(.ecSign), "\(mine)")
            let theirs = pair.responder.session.records.map(\.name)
            for op in [IKEOperationName.dhGenerate, .dhDerive, .ecVerify, .ecSign] {
                #expect(theirs.filter { $0 == op }.count == 1, "the responder's \(op): \(theirs)")
            }
        }
        #expect(sent == [reused.publicValue, reused.publicValue])
    }

    @Test("IKEv2: a reused value of another group is not sent; the initiator draws one of the offered group")
    func ikev2ReusedOtherGroup() async throws {
        let reused = try await IKECryptoSession(framework: Self.keys).generateKeyExchange(.curve25519)
        let pair = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                             keyR: IKEv2TestKeys.key("p256", initiator: false), childless: true) { $0.reusedKeyExchange = reused }
        let out = try await pair.run()
        #expect(out.peer == IKEv2TestKeys.idR)
        #expect(pair.initiator.session.records.map(\.name).filter { $0 == .dhGenerate }.count == 1)
    }

    @Test("IKEv2: an untrusted responder key fails without the flag and passes with it; a refusal or a key of the wrong kind fails either way")
    func ikev2WrongKey() async throws {
        let untrusted = IKEv2PublicKey.ec(IKEv2TestKeys.p256I.publicKey!)  // not the responder's key
        let strict = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                               keyR: IKEv2TestKeys.key("p256", initiator: false), childless: true, trustR: untrusted)
        await #expect { _ = try await strict.run() } throws: { ($0 as? IKEv2Error)?.code == .authenticationFailed }
        #expect(await strict.initiator.state != .established)
        #expect(strict.initiator.session.records.contains { $0.name == .ecVerify })

        let lenient = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                                keyR: IKEv2TestKeys.key("p256", initiator: false), childless: true, trustR: untrusted) {
            $0.skipsResponderSignatureCheck = true
        }
        #expect(try await lenient.run().peer == IKEv2TestKeys.idR)

        // The responder does not trust us: its AUTHENTICATION_FAILED is still the initiator's failure.
        let refused = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                                keyR: IKEv2TestKeys.key("p256", initiator: false), trustI: .ec(IKEv2TestKeys.p384R.publicKey!),
                                childless: true) { $0.skipsResponderSignatureCheck = true }
        await #expect { _ = try await refused.run() } throws: { ($0 as? IKEv2Error)?.code == .authenticationFailed }
        #expect(await refused.initiator.refusal == IKEv2Error.Code.authenticationFailed.rawValue)

        // An RSA key trusted for a responder that signs with ECDSA: no trusted key fits its AUTH.
        let wrongKind = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                                  keyR: IKEv2TestKeys.key("p256", initiator: false), childless: true,
                                  trustR: .rsa(IKEv2TestKeys.rsa.responder.publicKey)) { $0.skipsResponderSignatureCheck = true }
        await #expect { _ = try await wrongKind.run() } throws: { ($0 as? IKEv2Error)?.code == .authenticationFailed }
        #expect(await wrongKind.initiator.state != .established)
    }
}
