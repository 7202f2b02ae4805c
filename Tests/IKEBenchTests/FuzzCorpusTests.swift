import CryptoFramework
import Foundation
import FuzzTargets
import IKEProtocol
import IKEHarness
import ProcessSupport
import TestSupport
import IKETestKit
import Testing

/// The fuzzers' smoke in `swift test`: every committed seed of Fuzz/Corpus and
/// seeded mutations of it go through the same entry points libFuzzer drives
/// (`make fuzz`); nothing may come out `.unexpected`. Regenerate the ISAKMP
/// seeds from a real exchange with `FUZZ_REGENERATE_SEEDS=1 swift test --filter FuzzCorpusTests`.
@Suite("Fuzz targets over their seed corpora")
struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/Corpus").standardizedFileURL

    static func seeds(_ target: String) throws -> [(String, [UInt8])] {
        let dir = corpus.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map {
            ($0, Array(try Data(contentsOf: dir.appendingPathComponent($0))))
        }
    }

    /// Seeded mutations per target: 2,000, fewer where an input costs a negotiation's
    /// crypto (ike-udp) or several module calls and keystore writes (pkcs11-template).
    static let mutations = ["ike-udp": 150, "pkcs11-template": 600]

    @Test("every seed and its seeded mutations: accepted or refused, never anything else",
          arguments: FuzzTarget.all.map(\.name))
    func replay(target name: String) async throws {
        if ProcessInfo.processInfo.environment["FUZZ_REGENERATE_SEEDS"] == "1" {
            switch name {
            case "isakmp": try await Self.writeISAKMPSeeds()
            case "ike-udp": try await Self.writeIKEUDPSeeds()
            case "pkcs11-template": try Self.write(PKCS11TemplateSeeds.all, to: name)
            default: break
            }
        }
        let target = try #require(FuzzTarget.named(name))
        let seeds = try Self.seeds(name)
        #expect(seeds.count >= 4, "Fuzz/Corpus/\(name) holds \(seeds.count) seeds")
        // The ike-udp target waits for the responder's tasks, blocking its thread: not one of the cooperative pool's.
        let (accepted, failures) = try await DedicatedThread.run(name: "fuzz \(name)") { () -> (Int, [String]) in
            var accepted = 0
            var failures: [String] = []
            for (file, bytes) in seeds {
                let verdict = target.run(bytes)
                if case .unexpected(let what) = verdict { failures.append("seed \(name)/\(file): \(what)") }
                if verdict == .accepted { accepted += 1 }
            }
            var rng = SplitMix64(seed: 0xF022_0015)
            for i in 0..<(Self.mutations[name] ?? 2_000) {
                let mutated = ISAKMPFuzzTests.mutate(seeds[i % seeds.count].1, &rng)
                if case .unexpected(let what) = target.run(mutated) {
                    failures.append("mutation \(i) of \(name)/\(seeds[i % seeds.count].0): \(what); input \(mutated)")
                }
            }
            return (accepted, failures)
        }
        for failure in failures { Issue.record("\(failure)") }
        #expect(accepted >= 2, "most seeds are valid inputs that reach deep into the parser")
    }

    static func write(_ seeds: [(name: String, bytes: [UInt8])], to target: String) throws {
        let dir = corpus.appendingPathComponent(target)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for seed in seeds { try Data(seed.bytes).write(to: dir.appendingPathComponent(seed.name)) }
    }

    /// Messages 1, 3 and 5 of a real negotiation with ``ServiceDriver``'s
    /// responder, framed as the ike-udp target reads them (messages 3 and 5
    /// take the responder cookie of the reply before): the whole exchange
    /// with and without the non-ESP marker, retransmissions, several peers,
    /// one peer past its half-open cap, and stray datagrams.
    static func writeIKEUDPSeeds() async throws {
        typealias D = IKEUDPFuzzInput.Datagram
        let d = ServiceDriver()
        let (m1, m3, m5, _, _) = try await ResponderServiceTests.negotiate(d, d.initiator())
        let others = (0..<4).map { _ in d.initiator().start() }
        func exchange(sender: Int = 0, marked: Bool = false) -> [D] {
            [D(sender: sender, marked: marked, message: m1),
             D(sender: sender, marked: marked, usesLastResponderCookie: true, message: m3),
             D(sender: sender, marked: marked, usesLastResponderCookie: true, message: m5)]
        }
        let seeds: [(String, [D])] = [
            ("exchange", exchange()),
            ("exchange-non-esp-marker", exchange(sender: 1, marked: true)),
            ("retransmissions", [D(message: m1), D(message: m1), D(usesLastResponderCookie: true, message: m3),
                                 D(usesLastResponderCookie: true, message: m3)]),
            ("three-peers", [D(sender: 0, message: others[0]), D(sender: 1, message: others[1]), D(sender: 2, marked: true, message: others[2]),
                             D(sender: 1, usesLastResponderCookie: true, message: m3)]),
            ("peer-cap", others.map { D(sender: 3, message: $0) }),
            ("stray", [D(message: m5), D(message: Array(m1.prefix(20))), D(marked: true, message: []),
                       D(sender: 2, usesLastResponderCookie: true, message: m3)]),
        ]
        try write(seeds.map { ($0.0, IKEUDPFuzzInput.encode($0.1)) }, to: "ike-udp")
    }

    /// Messages 1–4 of a real exchange (mode byte 0: a whole message) and the
    /// decrypted chains of messages 5 and 6 (mode byte 1, then the first payload type).
    static func writeISAKMPSeeds() async throws {
        let dir = corpus.appendingPathComponent("isakmp")
        let seeds = try await ISAKMPFuzzTests.seeds()
        for (i, seed) in seeds.enumerated() {
            let bytes: [UInt8] = seed.isChain ? [1, PayloadType.identification.rawValue] + seed.bytes : [0] + seed.bytes
            try Data(bytes).write(to: dir.appendingPathComponent(seed.isChain ? "chain-\(i)" : "message-\(i + 1)"))
        }
    }
}
