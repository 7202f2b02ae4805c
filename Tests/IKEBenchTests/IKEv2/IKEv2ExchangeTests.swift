import CryptoFramework
import Foundation
import IKEProtocol
import IKETestKit
import TestSupport
import Testing

/// Keys and a hand-wired IKEv2 initiator and responder, each on its own framework.
enum IKEv2TestKeys {
    static let rsa = IKETestSupport.identities
    static let p256I = try! IKETestSupport.initiatorFramework.generateECKeyPair(curve: .p256)
    static let p256R = try! IKETestSupport.initiatorFramework.generateECKeyPair(curve: .p256)
    static let p384R = try! IKETestSupport.initiatorFramework.generateECKeyPair(curve: .p384)
    static let ed25519I = try! IKETestSupport.initiatorFramework.generateECKeyPair(curve: .ed25519)
    static let ed25519R = try! IKETestSupport.initiatorFramework.generateECKeyPair(curve: .ed25519)
    static let idI = IKEv2Identification.fqdn("initiator.test")
    static let idR = IKEv2Identification.fqdn("responder.test")

    static func key(_ name: String, initiator: Bool) -> IKEv2PrivateKey {
        switch name {
        case "rsa", "rsa-pss": .rsa(initiator ? rsa.initiator : rsa.responder)
        case "p256": .ec(initiator ? p256I : p256R)
        case "p384": .ec(initiator ? p256I : p384R)
        case "ed25519": .ec(initiator ? ed25519I : ed25519R)
        default: fatalError(name)
        }
    }
}

struct IKEv2Pair {
    let initiator: IKEv2Initiator
    let responder: IKEv2Responder

    init(offer: [String], accept: [String] = IKEv2Suite.defaultResponderSuites.map(\.proposalName), keyI: IKEv2PrivateKey, keyR: IKEv2PrivateKey,
         pss: Bool = false, trustI: IKEv2PublicKey? = nil, announceHashes: Bool = true, fragmentI: Int? = nil, fragmentR: Int? = 1280,
         childless: Bool = false, acceptChild: Bool = true, trustR: IKEv2PublicKey? = nil,
         configure: (inout IKEv2InitiatorConfiguration) -> Void = { _ in }) {
        var iCfg = IKEv2InitiatorConfiguration(
            suites: offer.map { IKEv2Suite(proposalName: $0)! }, identity: IKEv2Identity(key: keyI, id: IKEv2TestKeys.idI, rsaPSS: pss),
            peers: IKEv2FixedPeerKey(trustR ?? keyR.publicKey!), responderID: IKEv2TestKeys.idR, requestChildSA: !childless, fragmentSize: fragmentI)
        if !announceHashes { iCfg.signatureHashes = [] }
        configure(&iCfg)
        let rCfg = IKEv2ResponderConfiguration(
            suites: accept.map { IKEv2Suite(proposalName: $0)! }, identity: IKEv2Identity(key: keyR, id: IKEv2TestKeys.idR, rsaPSS: pss),
            peers: IKEv2FixedPeerKey(trustI ?? keyI.publicKey!), acceptChildSAs: acceptChild, fragmentSize: fragmentR)
        initiator = IKEv2Initiator(configuration: iCfg, session: IKECryptoSession(framework: IKETestSupport.initiatorFramework))
        responder = IKEv2Responder(configuration: rCfg, session: IKECryptoSession(framework: IKETestSupport.host))
    }

    struct Outcome {
        var peer: IKEv2Identification?
        var childSA = false
        var events: [IKEv2Event] = []
        var datagramsToInitiator: [[UInt8]] = []
        var lastRequest: [[UInt8]] = []
        /// The initiator's first IKE_SA_INIT.
        var firstRequest: [UInt8] = []
    }

    /// Runs the exchange to its end; a refusal comes back as the initiator's error.
    func run(alter: ([UInt8]) -> [UInt8] = { $0 }) async throws -> Outcome {
        var out = Outcome()
        var pending = [try await initiator.start()]
        out.firstRequest = pending[0]
        for _ in 0..<8 {
            out.lastRequest = pending
            var answers: [[UInt8]] = []
            for datagram in pending {
                let turn: IKEv2Turn
                do {
                    turn = try await responder.handle(alter(datagram))
                } catch let e as IKEv2Error {
                    guard let refusal = await responder.refusal(for: e) else { throw e }
                    turn = IKEv2Turn(replies: refusal)
                }
                out.events += turn.events
                answers += turn.replies
            }
            out.datagramsToInitiator += answers
            pending = []
            for a in answers {
                switch try await initiator.receive(a) {
                case .send(let next): pending = next
                case .wait: continue
                case .established(let peer, let child):
                    out.peer = peer
                    out.childSA = child
                    return out
                }
            }
            guard !pending.isEmpty else { break }
        }
        return out
    }
}

@Suite("IKEv2 initiator and responder in process")
struct IKEv2ExchangeTests {
    @Test("suites and keys", arguments: [
        ("aes128-sha256-modp2048", "rsa"), ("aes256-sha384-ecp384", "p256"), ("aes128-sha256-x25519", "ed25519"),
        ("aes128-sha256-ecp256", "rsa-pss"), ("aes256-sha512-ecp384", "p384"),
    ])
    func establishes(_ proposal: String, _ key: String) async throws {
        let pair = IKEv2Pair(offer: [proposal], keyI: IKEv2TestKeys.key(key, initiator: true), keyR: IKEv2TestKeys.key(key, initiator: false),
                             pss: key == "rsa-pss")
        let out = try await pair.run()
        #expect(out.peer == IKEv2TestKeys.idR)
        #expect(out.childSA)
        #expect(out.events.contains(.established(peer: IKEv2TestKeys.idI)))
        #expect(await pair.responder.state == .established)
        #expect(await pair.responder.suite.proposalName == proposal)
        // The responder's work went through its framework: one DH generate and derive, sign and verify.
        let names = pair.responder.session.records.map(\.name)
        #expect(names.filter { $0 == .dhGenerate }.count == 1)
        #expect(names.filter { $0 == .dhDerive }.count == 1)
        #expect(names.contains(key.hasPrefix("rsa") ? .rsaSign : .ecSign))
        #expect(names.contains(key.hasPrefix("rsa") ? .rsaVerify : .ecVerify))
    }

    @Test("without RFC 7427 the responder signs with the fixed methods: RSA 1 (SHA-1), ECDSA 9")
    func fixedMethods() async throws {
        for key in ["rsa", "p256"] {
            let pair = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key(key, initiator: true),
                                 keyR: IKEv2TestKeys.key(key, initiator: false), announceHashes: false)
            let out = try await pair.run()
            #expect(out.peer == IKEv2TestKeys.idR)
            let signs = pair.responder.session.records.filter { $0.name == .rsaSign || $0.name == .ecSign }.map(\.mechanism)
            #expect(signs == [key == "rsa" ? Mechanism.sha1RSAPKCS : .ecdsaSHA256])
            // The initiator heard the responder's SIGNATURE_HASH_ALGORITHMS, so it used RFC 7427 (SHA-256).
            let verifies = pair.responder.session.records.filter { $0.name == .rsaVerify || $0.name == .ecVerify }.map(\.mechanism)
            #expect(verifies == [key == "rsa" ? Mechanism.sha256RSAPKCS : .ecdsaSHA256])
        }
    }

    @Test("INVALID_KE_PAYLOAD names the group we take; the initiator retries with it")
    func invalidKE() async throws {
        let pair = IKEv2Pair(offer: ["aes128-sha256-x25519", "aes128-sha256-modp2048"], accept: ["aes128-sha256-modp2048"],
                             keyI: IKEv2TestKeys.key("rsa", initiator: true), keyR: IKEv2TestKeys.key("rsa", initiator: false))
        let out = try await pair.run()
        #expect(out.peer == IKEv2TestKeys.idR)
        let first = try IKEv2Message.parse(out.datagramsToInitiator[0])
        #expect(first.notifications.first?.type == IKEv2Error.Code.invalidKEPayload.rawValue)
        #expect(first.notifications.first?.data == [0, 14])
        #expect(first.header.responderSPI == [UInt8](repeating: 0, count: 8))
    }

    @Test("NO_PROPOSAL_CHOSEN when nothing offered is acceptable")
    func noProposal() async throws {
        let pair = IKEv2Pair(offer: ["aes256-sha512-ecp384"], accept: ["aes128-sha256-modp2048"],
                             keyI: IKEv2TestKeys.key("rsa", initiator: true), keyR: IKEv2TestKeys.key("rsa", initiator: false))
        await #expect(throws: IKEv2Error(.noProposalChosen, "the responder refused IKE_SA_INIT with notify 14")) { _ = try await pair.run() }
        #expect(await pair.initiator.refusal == 14)
        // The responder did no cryptography for an offer it refused.
        #expect(pair.responder.session.records.isEmpty)
    }

    @Test("an untrusted initiator key gets AUTHENTICATION_FAILED, protected")
    func untrusted() async throws {
        let pair = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                             keyR: IKEv2TestKeys.key("p256", initiator: false), trustI: .ec(IKEv2TestKeys.p384R.publicKey!))
        await #expect(throws: IKEv2Error.self) { _ = try await pair.run() }
        #expect(await pair.initiator.refusal == IKEv2Error.Code.authenticationFailed.rawValue)
        #expect(await pair.responder.state == .closed)
    }

    @Test("a retransmitted request gets the stored response, with no cryptography redone")
    func retransmission() async throws {
        let pair = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                             keyR: IKEv2TestKeys.key("p256", initiator: false))
        let out = try await pair.run()
        let before = pair.responder.session.records.count
        let again = try await pair.responder.handle(out.lastRequest[0])
        #expect(again.events == [.retransmitted])
        #expect(again.replies == [out.datagramsToInitiator.last!])
        #expect(pair.responder.session.records.count == before)
    }

    @Test("IKE_AUTH fragmented both ways (RFC 7383) with a small datagram size")
    func fragmentation() async throws {
        let pair = IKEv2Pair(offer: ["aes128-sha256-modp2048"], keyI: IKEv2TestKeys.key("rsa", initiator: true),
                             keyR: IKEv2TestKeys.key("rsa", initiator: false), fragmentI: 300, fragmentR: 300)
        let out = try await pair.run()
        #expect(out.peer == IKEv2TestKeys.idR)
        #expect(out.lastRequest.count > 1)
        #expect(out.datagramsToInitiator.count > 2)
        // The request's fragments again: the whole response goes back once, for fragment 1 only, with no crypto redone.
        let before = pair.responder.session.records.count
        var resent: [[UInt8]] = []
        for f in out.lastRequest { resent += try await pair.responder.handle(f).replies }
        #expect(resent == Array(out.datagramsToInitiator.suffix(resent.count)) && resent.count == out.datagramsToInitiator.count - 1)
        #expect(pair.responder.session.records.count == before)
        for d in out.lastRequest + out.datagramsToInitiator.dropFirst() {
            #expect(d.count + IKEv2Fragmentation.datagramOverhead <= 300)
            #expect(try IKEv2Message.parse(d).payloads.last?.type == .encryptedFragment)
        }
    }

    @Test("childless (RFC 6023) and a refused child SA keep the IKE SA")
    func childSA() async throws {
        let childless = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                                  keyR: IKEv2TestKeys.key("p256", initiator: false), childless: true)
        let a = try await childless.run()
        #expect(a.peer == IKEv2TestKeys.idR && !a.childSA)
        let refused = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                                keyR: IKEv2TestKeys.key("p256", initiator: false), acceptChild: false)
        let b = try await refused.run()
        #expect(b.peer == IKEv2TestKeys.idR && !b.childSA)
        #expect(b.events.contains(.childRefused(type: 14)))
        #expect(await refused.responder.state == .established)
    }

    @Test("INFORMATIONAL: an empty request is liveness, a Delete ends the SA; both answered")
    func informational() async throws {
        let pair = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                             keyR: IKEv2TestKeys.key("p256", initiator: false))
        _ = try await pair.run()
        let delete = try await pair.initiator.deleteRequest()
        let turn = try await pair.responder.handle(delete)
        #expect(turn.events == [.deleted])
        #expect(turn.replies.count == 1)
        let reply = try IKEv2Message.parse(turn.replies[0])
        #expect(reply.header.exchange == .informational && reply.header.isResponse && reply.header.messageID == 2)
        #expect(await pair.responder.state == .closed)
    }

    @Test("a tampered IKE_AUTH is dropped: no answer, and the genuine one still works")
    func tamperedAuthDropped() async throws {
        let pair = IKEv2Pair(offer: ["aes128-sha256-ecp256"], keyI: IKEv2TestKeys.key("p256", initiator: true),
                             keyR: IKEv2TestKeys.key("p256", initiator: false))
        let init1 = try await pair.initiator.start()
        let r1 = try await pair.responder.handle(init1)
        guard case .send(let auth) = try await pair.initiator.receive(r1.reply!) else { Issue.record("no IKE_AUTH"); return }
        var bad = auth[0]
        bad[bad.count - 20] ^= 0x80
        do {
            _ = try await pair.responder.handle(bad)
            Issue.record("tampered message accepted")
        } catch let e as IKEv2Error {
            #expect(e.code == .integrityFailure)
            #expect(await pair.responder.refusal(for: e) == nil)
        }
        let r2 = try await pair.responder.handle(auth[0])
        guard case .established = try await pair.initiator.receive(r2.reply!) else { Issue.record("not established"); return }
    }

    @Test("malformed AUTH data is AUTHENTICATION_FAILED, never a trap", arguments: [
        [UInt8](), [0], [0, 1, 2], [1, 0x30], [2, 0x30, 0x00, 9], [15] + [UInt8](repeating: 0xFF, count: 15) + [1],
        [7, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70] + [UInt8](repeating: 1, count: 64),
        [13, 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a] + [1, 2, 3],
    ])
    func malformedAuth(_ data: [UInt8]) async throws {
        let session = IKECryptoSession(framework: IKETestSupport.host)
        for method: UInt8 in [1, 9, 10, 14, 2, 200] {
            for key in [IKEv2PublicKey.rsa(IKEv2TestKeys.rsa.initiator.publicKey), .ec(IKEv2TestKeys.p256I.publicKey!),
                        .ec(IKEv2TestKeys.ed25519I.publicKey!)] {
                await #expect(throws: IKEv2Error.self) {
                    try await IKEv2Authentication.verify([1, 2, 3], method: method, data: data, keys: [key], session: session, role: "test")
                }
            }
        }
    }
}
