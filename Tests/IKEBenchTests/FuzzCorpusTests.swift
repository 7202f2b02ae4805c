import CryptoFramework
import Foundation
import FuzzTargets
import IKECore
import TestSupport
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

    @Test("every seed and 2,000 mutations of the seeds: accepted or refused, never anything else",
          arguments: FuzzTarget.all.map(\.name))
    func replay(target name: String) async throws {
        if name == "isakmp", ProcessInfo.processInfo.environment["FUZZ_REGENERATE_SEEDS"] == "1" {
            try await Self.writeISAKMPSeeds()
        }
        let target = try #require(FuzzTarget.named(name))
        let seeds = try Self.seeds(name)
        #expect(seeds.count >= 4, "Fuzz/Corpus/\(name) holds \(seeds.count) seeds")
        var accepted = 0
        for (file, bytes) in seeds {
            let verdict = target.run(bytes)
            if case .unexpected(let what) = verdict { Issue.record("seed \(name)/\(file): \(what)") }
            if verdict == .accepted { accepted += 1 }
        }
        #expect(accepted >= 2, "most seeds are valid inputs that reach deep into the parser")
        var rng = SplitMix64(seed: 0xF022_0015)
        for i in 0..<2_000 {
            let mutated = ISAKMPFuzzTests.mutate(seeds[i % seeds.count].1, &rng)
            if case .unexpected(let what) = target.run(mutated) {
                Issue.record("mutation \(i) of \(name)/\(seeds[i % seeds.count].0): \(what); input \(mutated)")
            }
        }
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
