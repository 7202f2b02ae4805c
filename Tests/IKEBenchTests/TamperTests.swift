import CryptoFramework
import IKEProtocol
import IKEHarness
import IKETestKit
import Testing

/// The responder refuses every malformed or tampered message with the right code.
@Suite("IKE responder refusals")
struct TamperTests {
    func expectRefusal(_ code: ISAKMPError.Code, fault: Message5Fault = .none,
                       suite: IKESuite = IKETestSupport.suite(),
                       alter: @escaping ([UInt8], Int) throws -> [UInt8] = { m, _ in m }) async {
        var pair = IKETestSupport.Pair(suite: suite)
        pair.fault = fault
        do {
            try await pair.run(alter: alter)
            Issue.record("expected \(code), negotiation succeeded")
        } catch let error as ISAKMPError {
            #expect(error.code == code, "\(error)")
            #expect(!error.message.isEmpty)
        } catch {
            Issue.record("expected ISAKMPError \(code), got \(error)")
        }
    }

    /// Replaces the KE payload of message 3.
    static func withKE(_ message: [UInt8], _ ke: [UInt8]) throws -> [UInt8] {
        var m = try ISAKMPMessage.parse(message)
        m.payloads = m.payloads.map { if case .keyExchange = $0 { return .keyExchange(ke) } else { return $0 } }
        return m.encoded()
    }

    @Test func headerLengthMismatch() async {
        await expectRefusal(.payloadMalformed) { m, n in n == 1 ? m + [0, 0, 0, 0] : m }
    }

    @Test func payloadLengthRunsPastMessage() async {
        await expectRefusal(.payloadMalformed) { m, n in
            guard n == 3 else { return m }
            var b = m
            b[ISAKMPHeader.size + 2] = 0xFF  // KE length high byte
            return b
        }
    }

    @Test func truncatedMessage() async {
        await expectRefusal(.payloadMalformed) { m, n in
            guard n == 1 else { return m }
            var b = Array(m.dropLast(3))
            let len = UInt32(b.count)
            b[24] = UInt8(len >> 24); b[25] = UInt8((len >> 16) & 0xFF); b[26] = UInt8((len >> 8) & 0xFF); b[27] = UInt8(len & 0xFF)
            return b
        }
    }

    @Test func unknownCriticalPayloadInMessage1() async {
        await expectRefusal(.invalidPayloadType) { m, n in
            guard n == 1 else { return m }
            return Self.appendUnknown(m, critical: true)
        }
    }

    @Test func unknownNonCriticalPayloadIsSkipped() async throws {
        let pair = IKETestSupport.Pair(suite: IKETestSupport.suite())
        try await pair.run { m, n in n == 1 ? Self.appendUnknown(m, critical: false) : m }
        #expect(await pair.responder.state == .established)
    }

    @Test func unknownCriticalPayloadInEncryptedMessage5() async {
        await expectRefusal(.invalidPayloadType, fault: .criticalUnknownPayload)
    }

    @Test func signatureOverWrongHash() async {
        await expectRefusal(.authenticationFailed, fault: .signWrongHash)
    }

    @Test func garbageSignature() async {
        await expectRefusal(.authenticationFailed, fault: .garbageSignature)
    }

    @Test func signatureOfWrongLength() async {
        await expectRefusal(.invalidSignature, fault: .shortSignature)
    }

    @Test("DH value out of range", arguments: ["one", "zero", "p-1", "p", "too long"])
    func dhOutOfRange(_ which: String) async {
        let p = DHGroup.modp2.prime
        var pMinus1 = p; pMinus1[pMinus1.count - 1] -= 1
        let value: [UInt8] = switch which {
        case "one": [UInt8](repeating: 0, count: p.count - 1) + [1]
        case "zero": [UInt8](repeating: 0, count: p.count)
        case "p-1": pMinus1
        case "p": p
        default: [1] + p
        }
        await expectRefusal(.invalidKeyInformation) { m, n in n == 3 ? try Self.withKE(m, value) : m }
    }

    @Test func wrongCookieInMessage3() async {
        await expectRefusal(.invalidCookie) { m, n in
            guard n == 3 else { return m }
            var b = m
            b[9] ^= 0xFF  // responder cookie
            return b
        }
    }

    @Test func flippedCiphertextInMessage5() async {
        let pair = IKETestSupport.Pair(suite: IKETestSupport.suite(2, .sha256, .aes128))
        do {
            try await pair.run { m, n in
                guard n == 5 else { return m }
                var b = m
                b[ISAKMPHeader.size + 3] ^= 0x40
                return b
            }
            Issue.record("a flipped ciphertext byte was accepted")
        } catch let error as ISAKMPError {
            #expect([.payloadMalformed, .invalidIDInformation, .authenticationFailed, .invalidPayloadType, .invalidSignature].contains(error.code), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func ciphertextNotWholeBlocks() async {
        await expectRefusal(.payloadMalformed) { m, n in
            guard n == 5 else { return m }
            var b = m + [0]
            b[27] &+= 1
            return b
        }
    }

    @Test func messageNotEncrypted() async {
        await expectRefusal(.invalidFlags) { m, n in
            guard n == 5 else { return m }
            var b = m
            b[19] = 0
            return b
        }
    }

    @Test func proposalNotAccepted() async {
        // The initiator offers SHA-256; the responder is configured for SHA-1.
        let initiatorSuite = IKETestSupport.suite(2, .sha256, .des3)
        let ids = IKETestSupport.identities
        let initiator = MainModeInitiator(suite: initiatorSuite, session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
                                          identity: ids.initiator, responderKey: ids.responder.publicKey, id: IKEIdentities.initiatorID)
        let responder = MainModeResponder(suite: IKETestSupport.suite(), session: IKECryptoSession(framework: IKETestSupport.host),
                                          identity: ids.responder, initiatorKey: ids.initiator.publicKey, id: IKEIdentities.responderID)
        await #expect(throws: ISAKMPError.self) { _ = try await responder.receive(initiator.start()) }
        do { _ = try await responder.receive(initiator.start()) } catch let e as ISAKMPError { #expect(e.code == .noProposalChosen) } catch {}
    }

    @Test func wrongExchangeType() async {
        await expectRefusal(.invalidExchangeType) { m, n in
            guard n == 1 else { return m }
            var b = m
            b[18] = 4  // Aggressive Mode
            return b
        }
    }

    @Test func messageOutOfOrder() async throws {
        let pair = IKETestSupport.Pair(suite: IKETestSupport.suite())
        let m2 = try await pair.responder.receive(pair.initiator.start())
        let m3 = try await pair.initiator.message3(after: m2)
        _ = try await pair.responder.receive(m3)
        // Message 3 again where message 5 is due: not encrypted.
        await #expect(throws: ISAKMPError.self) { _ = try await pair.responder.receive(m3) }
    }

    /// Appends an unknown payload (type 200) after the last one of a plain message.
    static func appendUnknown(_ message: [UInt8], critical: Bool) -> [UInt8] {
        var m = try! ISAKMPMessage.parse(message)
        let extra: [UInt8] = [0, critical ? 0x80 : 0, 0, 8, 9, 9, 9, 9]
        var body = ISAKMPMessage.encodePayloads(m.payloads)
        // The last payload's next-payload byte: walk the chain.
        var offset = 0, last = 0
        while offset < body.count { last = offset; offset += Int(body[offset + 2]) << 8 | Int(body[offset + 3]) }
        body[last] = 200
        body += extra
        m.header.flags = []
        return ISAKMPMessage.assemble(header: m.header, firstPayload: m.payloads[0].type, body: body)
    }
}
