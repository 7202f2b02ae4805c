import CryptoFramework
import Foundation
import IKEProtocol
import IKETestKit
import TestSupport
import Testing

/// g^ir, SKEYSEED and the seven keys, an SK payload and the initiator's signed
/// octets against values computed with Python's hmac and the `cryptography`
/// package (Fixtures/make_ikev2_kat.py); group 19 uses RFC 5903 §8.1's published values.
@Suite("IKEv2 known answers")
struct IKEv2KnownAnswerTests {
    struct Case: Decodable, CustomTestStringConvertible {
        let group: UInt16
        let prf: String
        let integrity: String
        let encryptionBits: Int
        let input: [String: String]
        let expected: [String: String]
        var testDescription: String { "group \(group) \(prf)/\(integrity)/aes\(encryptionBits)" }
    }
    struct File: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let data = try! Data(contentsOf: IKETestSupport.fixtureURL("ikev2_kat.json"))
        return try! JSONDecoder().decode(File.self, from: data).cases
    }()

    @Test("key exchange, keys, SK payload and signed octets match the fixture", arguments: cases)
    func knownAnswers(_ c: Case) async throws {
        let i = try c.input.mapValues { try [UInt8](hex: $0) }
        let x = try c.expected.mapValues { try [UInt8](hex: $0) }
        let group = try #require(IKEv2Group(number: c.group))
        let suite = IKEv2Suite(encryption: .aesCBC(bits: c.encryptionBits), prf: try #require(IKEv2Suite.PRF(rawValue: c.prf)),
                               integrity: try #require(IKEv2Suite.Integrity(rawValue: c.integrity)), group: group)
        let session = IKECryptoSession(framework: IKETestSupport.host)

        // Both sides reach the same g^ir from the other's KE data.
        let secretI = try IKEv2KeyExchangeSecret(group: group, knownPrivateValue: SecureBytes(i["privateI"]!))
        let secretR = try IKEv2KeyExchangeSecret(group: group, knownPrivateValue: SecureBytes(i["privateR"]!))
        let girI = try await session.agree(secretI, peer: x["gr"]!)
        let girR = try await session.agree(secretR, peer: x["gi"]!)
        #expect(girI.bytes.hex == c.expected["gir"])
        #expect(girR.bytes.hex == c.expected["gir"])

        let keys = try await IKEv2KeyDerivation.derive(suite, sharedSecret: girI, initiatorNonce: i["ni"]!, responderNonce: i["nr"]!,
                                                       initiatorSPI: i["spii"]!, responderSPI: i["spir"]!, session: session)
        #expect(keys.skD.bytes.hex == c.expected["skD"])
        #expect(keys.skAi.bytes.hex == c.expected["skAi"])
        #expect(keys.skAr.bytes.hex == c.expected["skAr"])
        #expect(keys.skEi.bytes.hex == c.expected["skEi"])
        #expect(keys.skEr.bytes.hex == c.expected["skEr"])
        #expect(keys.skPi.bytes.hex == c.expected["skPi"])
        #expect(keys.skPr.bytes.hex == c.expected["skPr"])

        // The responder opens what the fixture's initiator sealed.
        let sealed = x["sealedAuth"]!
        let message = try IKEv2Message.parse(sealed)
        #expect(message.header.exchange == .ikeAuth)
        let inner = try await IKEv2Protection(suite: suite, keys: keys, isInitiator: false).open(sealed, parsed: message, session: session)
        #expect(inner.count == 2)
        #expect(inner.first == .identificationInitiator(.fqdn("initiator.test")))
        #expect(inner.last == .notify(IKEv2Notify(type: IKEv2Notify.Status.initialContact)))
        // And one flipped bit anywhere makes it an integrity failure, never a parse of garbage.
        for position in [0, 30, sealed.count / 2, sealed.count - 1] {
            var bad = sealed
            bad[position] ^= 0x01
            await #expect(throws: IKEv2Error.self) {
                let m = try IKEv2Message.parse(bad)
                _ = try await IKEv2Protection(suite: suite, keys: keys, isInitiator: false).open(bad, parsed: m, session: session)
            }
        }

        let octets = try await IKEv2Authentication.signedOctets(message: i["message1"]!, peerNonce: i["nr"]!,
            id: .fqdn("initiator.test"), prf: suite.prf, skP: keys.skPi, session: session)
        #expect(octets.hex == c.expected["signedOctets"])
        #expect(IKEv2Identification.fqdn("initiator.test").encoded.hex == c.input["idiBody"])
        // Every step went through the framework and is in the report.
        #expect(session.records.contains { $0.name == .dhDerive })
        #expect(session.records.contains { $0.name == .integrity })
        #expect(session.records.contains { $0.name == .decrypt })
    }

    @Test("prf+ is prf's output chained with the counter, cut to length")
    func prfPlusShape() async throws {
        let session = IKECryptoSession(framework: IKETestSupport.host)
        let key = SecureBytes([UInt8](repeating: 0x0b, count: 20))
        let seed = SecureBytes(Array("seed".utf8))
        let long = try await IKEv2KeyDerivation.prfPlus(.sha256, key: key, seed: seed, length: 100, session: session)
        let short = try await IKEv2KeyDerivation.prfPlus(.sha256, key: key, seed: seed, length: 40, session: session)
        #expect(long.count == 100)
        #expect(Array(long.bytes.prefix(40)) == short.bytes)
        // T1 = prf(K, S | 0x01): RFC 4231 case 1's key with our seed, computed by the framework directly.
        let t1 = try await session.prf(.sha256, key: key, SecureBytes(Array("seed".utf8) + [1]))
        #expect(Array(long.bytes.prefix(32)) == t1.bytes)
        await #expect(throws: IKEv2Error.self) {
            _ = try await IKEv2KeyDerivation.prfPlus(.sha256, key: key, seed: seed, length: 256 * 32, session: session)
        }
    }
}
