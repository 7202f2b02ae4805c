import CryptoFramework
import Foundation
import IKEProtocol
import IKETestKit
import TestSupport
import Testing

/// AES-GCM-16 in IKEv2 (RFC 5282): the proposal, the keys (key ‖ 4-byte salt),
/// and the SK payload sealed and opened through the framework's CKM_AES_GCM:
/// 8-byte explicit IV, nonce salt ‖ IV, the IKE header and SK header as
/// associated data, a 16-byte ICV; tampering and truncation refused.
@Suite("IKEv2 AES-GCM-16")
struct IKEv2GCMTests {
    static let proposal = "aes256gcm16-prfsha384-ecp384"
    static let suite = IKEv2Suite(proposalName: proposal)!
    static let spiI: [UInt8] = [1, 1, 2, 3, 5, 8, 13, 21]
    static let spiR: [UInt8] = [34, 55, 89, 144, 233, 121, 98, 219]

    /// An IKE SA's keys for `suite` from fixed inputs, on the host framework.
    static func keys(_ suite: IKEv2Suite = suite, session: IKECryptoSession) async throws -> IKEv2Keys {
        try await IKEv2KeyDerivation.derive(suite, sharedSecret: SecureBytes([UInt8](repeating: 0x42, count: 96)),
                                            initiatorNonce: [UInt8](repeating: 0xA1, count: 32), responderNonce: [UInt8](repeating: 0xB2, count: 32),
                                            initiatorSPI: spiI, responderSPI: spiR, session: session)
    }

    static let authHeader = IKEv2Header(initiatorSPI: spiI, responderSPI: spiR, exchange: .ikeAuth, flags: .initiator, messageID: 1)
    static let inner: [IKEv2Payload] = [.identificationInitiator(.fqdn("initiator.test")),
                                        .notify(IKEv2Notify(type: IKEv2Notify.Status.initialContact))]

    @Test("strongSwan's keywords: aes128gcm16/aes256gcm16 with a named PRF, no integrity transform")
    func proposalNames() throws {
        let s = try #require(IKEv2Suite(proposalName: Self.proposal))
        #expect(s.encryption == .aesGCM16(bits: 256) && s.prf == .sha384 && s.integrity == nil && s.group == .ecp(.p384))
        #expect(s.proposalName == Self.proposal)
        #expect(s.encryption.name == "aes256gcm16")
        #expect(IKEv2Suite(proposalName: "aes128gcm128-prfsha256-x25519")?.proposalName == "aes128gcm16-prfsha256-x25519")
        // ENCR_AES_GCM_16 (20) with its key length, the PRF and the group: nothing else.
        #expect(s.transforms == [IKEv2Transform(.encryption, 20, keyLength: 256), IKEv2Transform(.prf, 6), IKEv2Transform(.keyExchange, 20)])
        // An AEAD needs its PRF named and takes no integrity algorithm.
        for bad in ["aes256gcm16-ecp384", "aes256gcm16-sha256-ecp384", "aes256gcm16-sha256-prfsha256-ecp384", "aes192gcm16-prfsha256-ecp384"] {
            #expect(IKEv2Suite(proposalName: bad) == nil, "\(bad)")
        }
        #expect(IKEv2Suite.defaultResponderSuites.contains(s))
    }

    @Test("keys: SK_e is the key and its 4-byte salt, SK_a is empty")
    func keyLengths() async throws {
        let session = IKECryptoSession(framework: IKETestSupport.host)
        let k = try await Self.keys(session: session)
        #expect(k.skEi.count == 36 && k.skEr.count == 36)
        #expect(k.skAi.isEmpty && k.skAr.isEmpty)
        #expect(k.skD.count == 48 && k.skPi.count == 48 && k.skPr.count == 48)
        // The same prf+ stream as a CBC suite's, cut differently: SK_d is its first 48 bytes either way.
        let cbc = IKEv2Suite(encryption: .aesCBC(bits: 256), prf: .sha384, integrity: .sha384_192, group: .ecp(.p384))
        #expect(try await Self.keys(cbc, session: session).skD == k.skD)
    }

    @Test("an SK payload built by hand from RFC 5282 opens; ours has that layout and opens on the other side")
    func layout() async throws {
        let session = IKECryptoSession(framework: IKETestSupport.host)
        let keys = try await Self.keys(session: session)
        let initiator = IKEv2Protection(suite: Self.suite, keys: keys, isInitiator: true)
        let responder = IKEv2Protection(suite: Self.suite, keys: keys, isInitiator: false)
        let plain = IKEv2PayloadChain.encode(Self.inner)

        // Ours: header, SK header, 8-byte IV (a counter), ciphertext of payloads + pad length byte, 16-byte ICV.
        let sealed = try await initiator.seal(Self.authHeader, inner: Self.inner, session: session)
        #expect(sealed.count == IKEv2Header.size + 4 + 8 + plain.count + 1 + 16)
        #expect(Array(sealed[28..<32]) == [Self.inner[0].typeValue, 0, UInt8((sealed.count - 28) >> 8), UInt8((sealed.count - 28) & 0xFF)])
        #expect(Array(sealed[32..<40]) == [0, 0, 0, 0, 0, 0, 0, 1])
        let second = try await initiator.seal(Self.authHeader, inner: Self.inner, session: session)
        #expect(Array(second[32..<40]) == [0, 0, 0, 0, 0, 0, 0, 2], "the explicit IV never repeats under a key")
        // Decrypted with CKM_AES_GCM directly: key = SK_ei's first 32 bytes, nonce = its last 4 ‖ IV, AAD = the first 32 bytes.
        let direct = try IKETestSupport.host.decrypt(
            .aesGCM, key: SecureBytes(keys.skEi.bytes.prefix(32)),
            parameters: .gcm(GCMParameters(iv: Array(keys.skEi.bytes.suffix(4)) + Array(sealed[32..<40]), additionalData: Array(sealed[..<32]))),
            data: Array(sealed[40...]))
        #expect(direct == plain + [0])
        let opened = try await responder.open(sealed, parsed: try IKEv2Message.parse(sealed), session: session)
        #expect(opened == Self.inner)
        #expect(try await responder.open(second, parsed: try IKEv2Message.parse(second), session: session) == Self.inner)

        // By hand, with padding (allowed though GCM needs none): the responder opens it.
        let padded = plain + [0xEE, 0xEE, 0xEE, 3]
        let hand = try Self.handSealed(padded, keys: keys, iv: [9, 8, 7, 6, 5, 4, 3, 2])
        #expect(try await responder.open(hand, parsed: try IKEv2Message.parse(hand), session: session) == Self.inner)
        // The responder's own direction uses SK_er: the initiator opens what it seals, not what the initiator sealed.
        let reply = try await responder.seal(Self.authHeader, inner: Self.inner, session: session)
        #expect(try await initiator.open(reply, parsed: try IKEv2Message.parse(reply), session: session) == Self.inner)
        await #expect(throws: IKEv2Error.self) { _ = try await initiator.open(sealed, parsed: try IKEv2Message.parse(sealed), session: session) }

        // Every step is a framework operation in the report: GCM, and no separate integrity MAC.
        let ciphers = session.records.filter { $0.name == .encrypt || $0.name == .decrypt }
        #expect(!ciphers.isEmpty && ciphers.allSatisfy { $0.mechanism == .aesGCM })
        #expect(!session.records.contains { $0.name == .integrity })
    }

    /// header ‖ SK header ‖ `iv` ‖ GCM(SK_ei) of `padded`, built from RFC 5282 with the framework's CKM_AES_GCM.
    static func handSealed(_ padded: [UInt8], keys: IKEv2Keys, iv: [UInt8], firstInner: UInt8 = IKEv2PayloadType.identificationInitiator.rawValue) throws -> [UInt8] {
        let length = IKEv2Header.size + 4 + 8 + padded.count + 16
        var h = authHeader
        h.nextPayload = IKEv2PayloadType.encrypted.rawValue
        let aad = h.encoded(length: length) + [firstInner, 0, UInt8((length - 28) >> 8), UInt8((length - 28) & 0xFF)]
        let sealed = try IKETestSupport.host.encrypt(
            .aesGCM, key: SecureBytes(keys.skEi.bytes.prefix(32)),
            parameters: .gcm(GCMParameters(iv: Array(keys.skEi.bytes.suffix(4)) + iv, additionalData: aad)), data: padded)
        return aad + iv + sealed
    }

    @Test("a tampered ICV, IV, ciphertext or header is an integrity failure that says so")
    func tampered() async throws {
        let session = IKECryptoSession(framework: IKETestSupport.host)
        let keys = try await Self.keys(session: session)
        let initiator = IKEv2Protection(suite: Self.suite, keys: keys, isInitiator: true)
        let responder = IKEv2Protection(suite: Self.suite, keys: keys, isInitiator: false)
        let sealed = try await initiator.seal(Self.authHeader, inner: Self.inner, session: session)
        // Header (AAD: the message ID), SK header's reserved byte, IV, ciphertext, ICV's first and last bytes.
        for position in [20, 29, 35, 45, sealed.count - 16, sealed.count - 1] {
            var bad = sealed
            bad[position] ^= 0x01
            do {
                _ = try await responder.open(bad, parsed: try IKEv2Message.parse(bad), session: session)
                Issue.record("byte \(position) flipped and still opened")
            } catch let e as IKEv2Error {
                #expect(e.code == .integrityFailure, "byte \(position): \(e)")
                #expect(e.message.contains("AES-GCM ICV does not verify"), "\(e.message)")
            }
        }
        // A pad length longer than what decrypted: refused after the tag verified.
        let overlong = try Self.handSealed(IKEv2PayloadChain.encode(Self.inner) + [200], keys: keys, iv: [0, 0, 0, 0, 0, 0, 1, 0])
        do {
            _ = try await responder.open(overlong, parsed: try IKEv2Message.parse(overlong), session: session)
            Issue.record("pad length 200 accepted")
        } catch let e as IKEv2Error {
            #expect(e.code == .integrityFailure && e.message.contains("pad length 200"), "\(e)")
        }
    }

    @Test("truncated SK payloads are refused before the framework sees them, never a trap",
          arguments: [0, 1, 8, 16, 23, 24, 25, 26])
    func truncated(_ bodyBytes: Int) async throws {
        let session = IKECryptoSession(framework: IKETestSupport.host)
        let keys = try await Self.keys(session: session)
        let responder = IKEv2Protection(suite: Self.suite, keys: keys, isInitiator: false)
        // A well-framed message whose SK body is only `bodyBytes` long (IV 8 + pad length 1 + ICV 16 = 25 at least).
        let length = IKEv2Header.size + 4 + bodyBytes
        var h = Self.authHeader
        h.nextPayload = IKEv2PayloadType.encrypted.rawValue
        let message = h.encoded(length: length) + [35, 0, UInt8((4 + bodyBytes) >> 8), UInt8((4 + bodyBytes) & 0xFF)]
            + [UInt8](repeating: 0x5C, count: bodyBytes)
        do {
            _ = try await responder.open(message, parsed: try IKEv2Message.parse(message), session: session)
            Issue.record("\(bodyBytes) bytes opened")
        } catch let e as IKEv2Error {
            #expect(e.code == .integrityFailure, "\(e)")
            if bodyBytes < 25 { #expect(e.message.contains("shorter than its IV, pad length and ICV (25 bytes)"), "\(e.message)") }
        }
        // And the datagram cut short of what its header says is a syntax error.
        let sealed = try await IKEv2Protection(suite: Self.suite, keys: keys, isInitiator: true).seal(Self.authHeader, inner: Self.inner, session: session)
        #expect(throws: IKEv2Error.self) { _ = try IKEv2Message.parse(Array(sealed.dropLast(bodyBytes + 1))) }
    }

    @Test("initiator and responder establish with GCM, whole and in fragments; charon's INTEG NONE is taken too")
    func exchange() async throws {
        for fragments in [nil, 300] as [Int?] {
            let pair = IKEv2Pair(offer: [Self.proposal], keyI: IKEv2TestKeys.key("rsa", initiator: true),
                                 keyR: IKEv2TestKeys.key("rsa", initiator: false), fragmentI: fragments, fragmentR: fragments ?? 1280)
            let out = try await pair.run()
            #expect(out.peer == IKEv2TestKeys.idR)
            #expect(await pair.responder.suite == Self.suite)
            #expect(await pair.initiator.suite == Self.suite)
            let records = pair.responder.session.records
            #expect(records.contains { $0.name == .decrypt && $0.mechanism == .aesGCM })
            #expect(!records.contains { $0.name == .integrity })
            if fragments != nil {
                #expect(out.lastRequest.count > 1, "IKE_AUTH went in \(out.lastRequest.count) datagram(s)")
            }
        }
        // A proposal with integrity NONE (RFC 5282 §8) is the same offer; one with an HMAC beside GCM is not.
        let withNone = IKEv2Proposal(number: 1, protocolID: IKEv2Proposal.protocolIKE, spi: [],
                                     transforms: Self.suite.transforms + [IKEv2Transform(.integrity, 0)])
        let withHMAC = IKEv2Proposal(number: 1, protocolID: IKEv2Proposal.protocolIKE, spi: [],
                                     transforms: Self.suite.transforms + [IKEv2Transform(.integrity, 13)])
        for (p, accepted) in [(withNone, true), (withHMAC, false)] {
            let pair = IKEv2Pair(offer: [Self.proposal], accept: [Self.proposal], keyI: IKEv2TestKeys.key("p384", initiator: true),
                                 keyR: IKEv2TestKeys.key("p384", initiator: false))
            var request = try IKEv2Message.parse(try await pair.initiator.start())
            request.payloads = request.payloads.map { if case .securityAssociation = $0 { .securityAssociation(IKEv2SA(proposals: [p])) } else { $0 } }
            do {
                let turn = try await pair.responder.handle(request.encoded())
                #expect(accepted)
                let answer = try IKEv2Message.parse(try #require(turn.replies.first))
                guard case .securityAssociation(let sa)? = answer.first(.securityAssociation) else { Issue.record("no SA"); continue }
                #expect(Set(sa.proposals[0].transforms) == Set(Self.suite.transforms))
            } catch let e as IKEv2Error {
                #expect(!accepted && e.code == .noProposalChosen, "\(e)")
            }
        }
    }
}
