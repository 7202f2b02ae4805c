import CryptoFramework
import Foundation
import FuzzTargets
import IKEProtocol
import IKETestKit
import ProcessSupport
import TestSupport
import Testing

/// The `ikev2` fuzz target's seeds (Fuzz/Corpus/ikev2), from a real exchange
/// and from messages sealed with ``IKEv2FuzzKeys`` (AES-CBC and, mode 3, AES-GCM-16); written when
/// FUZZ_REGENERATE_SEEDS=1, checked always. The replay of every target is FuzzCorpusTests.
@Suite("IKEv2 fuzz seeds")
struct IKEv2FuzzSeedTests {
    static let directory = FuzzCorpusTests.corpus.appendingPathComponent("ikev2")

    static func seeds() async throws -> [(String, [UInt8])] {
        // The fixed keys are derived by blocking on the framework's async API: not on a cooperative thread.
        _ = try await DedicatedThread.run(name: "ikev2 fuzz keys") { IKEv2FuzzKeys.keys.skD.count + IKEv2FuzzKeys.gcm.keys.skD.count }
        let pair = IKEv2Pair(offer: ["aes128-sha256-modp2048"], keyI: IKEv2TestKeys.key("rsa", initiator: true),
                             keyR: IKEv2TestKeys.key("rsa", initiator: false), fragmentI: 600, fragmentR: 600)
        let initRequest = try await pair.initiator.start()
        let initResponse = try #require(try await pair.responder.handle(initRequest).reply)
        guard case .send(let authFragments) = try await pair.initiator.receive(initResponse) else { throw IKEv2Error(.unexpectedMessage, "no IKE_AUTH") }
        let inner: [IKEv2Payload] = [
            .identificationInitiator(.fqdn("initiator.test")), .certificateRequest(encoding: 4, data: [UInt8](repeating: 0xAB, count: 20)),
            .authentication(method: 14, data: [15] + [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00] + [UInt8](repeating: 7, count: 256)),
            .securityAssociation(IKEv2SA(proposals: [IKEv2Proposal(number: 1, protocolID: 3, spi: [1, 2, 3, 4], transforms: [
                IKEv2Transform(.encryption, 12, keyLength: 128), IKEv2Transform(.integrity, 12), IKEv2Transform(.extendedSequenceNumbers, 0)])])),
            .trafficSelectorInitiator([.anyIPv4]), .trafficSelectorResponder([.anyIPv4]),
            .notify(IKEv2Notify(type: IKEv2Notify.Status.initialContact)),
            .delete(IKEv2Delete(protocolID: 3, spis: [[1, 2, 3, 4]])),
        ]
        let header = IKEv2Header(initiatorSPI: IKEv2FuzzKeys.initiatorSPI, responderSPI: IKEv2FuzzKeys.responderSPI, exchange: .ikeAuth,
                                 flags: .initiator, messageID: 1)
        let sealed = try await IKEv2FuzzKeys.initiator.seal(header, inner: inner, session: IKEv2FuzzKeys.session)
        let fragments = try await IKEv2Fragmentation.seal(header, inner: inner, datagramSize: 300, protection: IKEv2FuzzKeys.initiator,
                                                          session: IKEv2FuzzKeys.session)
        var badICV = sealed
        badICV[badICV.count - 1] ^= 1
        var seeds: [(String, [UInt8])] = [
            ("init-request", [0] + initRequest), ("init-response", [0] + initResponse),
            ("auth-fragment-1", [0] + authFragments[0]), ("chain-auth", [1, IKEv2PayloadType.identificationInitiator.rawValue] + IKEv2PayloadChain.encode(inner)),
            ("sealed-auth", [2] + sealed), ("sealed-bad-icv", [2] + badICV),
        ]
        for (i, f) in fragments.prefix(2).enumerated() { seeds.append(("sealed-fragment-\(i + 1)", [2] + f)) }
        // Mode 3: the same message under the fixed AES-GCM-16 SA (RFC 5282), whole, with a bad ICV, and a fragment.
        let gcm = IKEv2FuzzKeys.gcm
        let gcmSealed = try await gcm.initiator.seal(header, inner: inner, session: IKEv2FuzzKeys.session)
        var gcmBadICV = gcmSealed
        gcmBadICV[gcmBadICV.count - 1] ^= 1
        let gcmFragments = try await IKEv2Fragmentation.seal(header, inner: inner, datagramSize: 300, protection: gcm.initiator,
                                                             session: IKEv2FuzzKeys.session)
        seeds += [("sealed-gcm-auth", [3] + gcmSealed), ("sealed-gcm-bad-icv", [3] + gcmBadICV), ("sealed-gcm-fragment-1", [3] + gcmFragments[0])]
        return seeds
    }

    @Test("the seeds reach deep: whole messages parse, sealed ones open, a bad ICV is refused")
    func seedsBehave() async throws {
        let seeds = try await Self.seeds()
        if ProcessInfo.processInfo.environment["FUZZ_REGENERATE_SEEDS"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            for (name, bytes) in seeds { try Data(bytes).write(to: Self.directory.appendingPathComponent(name)) }
        }
        let verdicts = try await DedicatedThread.run(name: "ikev2 seeds") { seeds.map { ($0.0, FuzzTarget.ikev2.run($0.1)) } }
        for (name, verdict) in verdicts {
            #expect(verdict == (name.hasSuffix("bad-icv") ? .refused : .accepted), "\(name): \(verdict)")
        }
        // The committed corpus holds them.
        let committed = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
        #expect(Set(seeds.map(\.0)).isSubset(of: Set(committed)), "\(committed)")
    }

    @Test("truncations and bit flips of every seed are refused or accepted, never anything else")
    func mutations() async throws {
        let seeds = try await Self.seeds()
        let failures = try await DedicatedThread.run(name: "ikev2 mutations") { () -> [String] in
            var failures: [String] = []
            for (name, bytes) in seeds {
                for cut in stride(from: 1, to: bytes.count, by: max(1, bytes.count / 40)) {
                    if case .unexpected(let w) = FuzzTarget.ikev2.run(Array(bytes.prefix(cut))) { failures.append("\(name) cut \(cut): \(w)") }
                }
                for position in stride(from: 1, to: bytes.count, by: max(1, bytes.count / 40)) {
                    var b = bytes
                    b[position] ^= 0xFF
                    if case .unexpected(let w) = FuzzTarget.ikev2.run(b) { failures.append("\(name) flip \(position): \(w)") }
                }
            }
            return failures
        }
        #expect(failures.isEmpty, "\(failures)")
    }
}
