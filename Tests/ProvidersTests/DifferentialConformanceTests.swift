import CryptoFramework
import Providers
import Testing

/// One answer whichever provider serves: every edge-case request goes to every
/// provider of every platform that lists its mechanism (openssl, gmp, ncp/0 and
/// SoftHSM2 on host; sparcfp and ncp/0 on t2000), through the framework and
/// directly, and every outcome — value, verdict or error code — must be the
/// same (and the documented one, docs/rsa-input-rules.md, where the rules fix
/// it). A failure names who said what.
@Suite("Differential conformance: every provider gives the same answer", .serialized)
struct DifferentialConformanceTests {
    static func check(_ cases: [DifferentialCase]) throws {
        let participants = try DifferentialParticipants.require()
        let reference = try DifferentialParticipants.reference
        var disagreements: [String] = []
        var answers = 0
        for c in cases {
            answers += 2 * participants.filter { $0.serves(c.request) }.count
            if let text = c.disagreement(among: participants, reference: reference) { disagreements.append(text) }
        }
        print("differential: \(cases.count) requests, \(answers) answers compared, \(disagreements.count) disagreements")
        for text in disagreements { Issue.record(Comment(rawValue: text)) }
        #expect(cases.count > 10)
    }

    @Test("RSA sign and verify edge cases", arguments: [1024, 2048])
    func rsa(bits: Int) throws {
        let reference = try DifferentialParticipants.reference
        let key = try reference.generateRSAKeyPair(bits: bits)
        try Self.check(DifferentialCases.rsa(key, reference: reference))
    }

    @Test("DH derive edge cases", arguments: [2, 14])
    func dh(group number: Int) throws {
        let reference = try DifferentialParticipants.reference
        let group = try #require(DHGroup.ike(number))
        let pair = try reference.generateDHKeyPair(group: group)
        let peer = try reference.generateDHKeyPair(group: group)
        try Self.check(DifferentialCases.dh(pair, peer: peer))
    }

    @Test("ECDSA sign and verify edge cases", arguments: [ECCurve.p256, .p384, .p521])
    func ecdsa(curve: ECCurve) throws {
        let reference = try DifferentialParticipants.reference
        let key = try reference.generateECKeyPair(curve: curve)
        try Self.check(DifferentialCases.ecdsa(key, reference: reference))
    }

    @Test("Ed25519 sign and verify edge cases (openssl and sodium)")
    func eddsa() throws {
        let reference = try DifferentialParticipants.reference
        try Self.check(DifferentialCases.eddsa(try reference.generateECKeyPair(curve: .ed25519), reference: reference))
    }

    @Test("ECDH derive edge cases: peers and KDF parameters", arguments: [ECCurve.p256, .p521, .x25519])
    func ecdh(curve: ECCurve) throws {
        let reference = try DifferentialParticipants.reference
        let key = try reference.generateECKeyPair(curve: curve)
        let peer = try reference.generateECKeyPair(curve: curve)
        try Self.check(DifferentialCases.ecdh(key, peer: peer))
    }

    @Test("SoftHSM2 takes part in the EC cases: CKM_ECDSA and CKM_ECDH1_DERIVE on P-256/384/521, CKM_EDDSA on Ed25519")
    func softHSMServesEC() throws {
        let reference = try DifferentialParticipants.reference
        let softHSM = try #require(try DifferentialParticipants.require().first { $0.label == DifferentialParticipants.softHSMLabel })
        for curve in [ECCurve.p256, .p384, .p521] {
            let key = try reference.generateECKeyPair(curve: curve)
            #expect(softHSM.serves(.signEC(.ecdsa, key: key, data: [1])), "\(curve)")
            #expect(softHSM.serves(.deriveECDH(privateKey: key, peerPublicValue: key.publicKey!.point, parameters: .null)), "\(curve)")
        }
        let ed = try reference.generateECKeyPair(curve: .ed25519), x = try reference.generateECKeyPair(curve: .x25519)
        #expect(softHSM.serves(.signEC(.eddsa, key: ed, data: [1])))
        #expect(!softHSM.serves(.deriveECDH(privateKey: x, peerPublicValue: x.publicKey!.point, parameters: .null)), "no CKK_EC_MONTGOMERY in SoftHSM2 2.6.1")
    }

    @Test("every participant is there: SoftHSM2 and both platforms")
    func participants() throws {
        let labels = try DifferentialParticipants.require().map(\.label)
        for expected in ["host/openssl", "host/gmp", "host/ncp/0", DifferentialParticipants.softHSMLabel, "t2000/sparcfp", "t2000/ncp/0"] {
            #expect(labels.contains(expected), "\(expected) missing from \(labels)")
        }
    }
}
