import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKETestKit
import TestSupport
import Testing

/// SKEYID chain, key expansion, IV, HASH_I and HASH_R against values computed
/// with Python's hmac/hashlib (Fixtures/make_main_mode_kat.py).
@Suite("IKE Main Mode known answers")
struct MainModeKnownAnswerTests {
    struct Case: Decodable, CustomTestStringConvertible {
        let prf: String
        let cipher: String
        let input: [String: String]
        let expected: [String: String]
        var testDescription: String { "\(prf)/\(cipher)/\(input["gxy"]!.count / 2) bytes" }
    }
    struct File: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let data = try! Data(contentsOf: IKETestSupport.fixtureURL("main_mode_kat.json"))
        return try! JSONDecoder().decode(File.self, from: data).cases
    }()

    @Test("derivation matches the fixture", arguments: cases, ["host", "t2000"])
    func derivation(_ c: Case, platform: String) async throws {
        let fw = platform == "host" ? IKETestSupport.host : IKETestSupport.t2000
        let suite = IKESuite(group: .modp2, prf: IKESuite.PRF(rawValue: c.prf)!, cipher: IKESuite.Cipher(rawValue: c.cipher)!)
        let i = try c.input.mapValues { try [UInt8](hex: $0) }
        let values = MainModeExchangeValues(
            initiatorCookie: i["ckyI"]!, responderCookie: i["ckyR"]!, initiatorNonce: i["ni"]!, responderNonce: i["nr"]!,
            initiatorPublic: i["gxi"]!, responderPublic: i["gxr"]!, initiatorSA: i["saiB"]!)
        let session = IKECryptoSession(framework: fw)
        let keys = try await MainModeKeyDerivation.derive(suite, values, sharedSecret: SecureBytes(i["gxy"]!), session: session)
        #expect(keys.skeyid.bytes.hex == c.expected["skeyid"])
        #expect(keys.skeyidD.bytes.hex == c.expected["skeyidD"])
        #expect(keys.skeyidA.bytes.hex == c.expected["skeyidA"])
        #expect(keys.skeyidE.bytes.hex == c.expected["skeyidE"])
        #expect(keys.cipherKey.bytes.hex == c.expected["cipherKey"])
        #expect(keys.initialIV.hex == c.expected["iv"])
        let hashI = try await MainModeKeyDerivation.hashI(suite, keys, values, idI: i["idiiB"]!, session: session)
        let hashR = try await MainModeKeyDerivation.hashR(suite, keys, values, idR: i["idirB"]!, session: session)
        #expect(hashI.hex == c.expected["hashI"])
        #expect(hashR.hex == c.expected["hashR"])
        // The ID bodies of the fixture are what our Identification payloads encode.
        #expect(IKEIdentities.initiatorID.encodedBody.hex == c.input["idiiB"])
        #expect(IKEIdentities.responderID.encodedBody.hex == c.input["idirB"])
        // Every step went through the framework: 4 SKEYIDs (+2 expansions for 3DES/SHA-1), IV hash, 2 HASHes.
        let expansions = suite.prf == .sha1 && suite.cipher == .des3 ? 2 : 0
        #expect(session.records.filter { $0.name == .prf }.count == 6 + expansions)
        #expect(session.records.filter { $0.name == .hash }.count == 1)
        if platform == "t2000" { #expect(session.records.allSatisfy { $0.modeledSeconds != nil }) }
    }
}
