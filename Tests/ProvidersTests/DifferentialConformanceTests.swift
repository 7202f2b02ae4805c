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

    @Test("every participant is there: SoftHSM2 and both platforms")
    func participants() throws {
        let labels = try DifferentialParticipants.require().map(\.label)
        for expected in ["host/openssl", "host/gmp", "host/ncp/0", DifferentialParticipants.softHSMLabel, "t2000/sparcfp", "t2000/ncp/0"] {
            #expect(labels.contains(expected), "\(expected) missing from \(labels)")
        }
    }
}
