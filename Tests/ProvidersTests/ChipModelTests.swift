import CryptoFramework
import Providers
import Testing

/// The chip is one value: a platform built on another one reaches every provider's cost model.
@Suite("One chip value per platform")
struct ChipModelTests {
    @Test("The T1 at 1.0 GHz (the other clock it shipped at): same cycles, 1.2× the seconds, on sparcfp and ncp/0")
    func slowerClockReachesEveryProvider() throws {
        var slower = ChipModel.ultraSPARCT1
        slower.name = "UltraSPARC T1 (1.0 GHz)"
        slower.clockHz = 1.0e9
        let key = try CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "openssl").generateRSAKeyPair(bits: 1024)
        let fast = try CryptoFramework(platform: .t2000, policy: .inMemory(Policy()))
        let slow = try CryptoFramework(platform: .t2000(chip: slower), policy: .inMemory(Policy()))
        #expect(slow.platform.chip == slower && slow.platform.clockHz == 1.0e9)
        for provider in ["sparcfp", "ncp/0"] {
            let request = CryptoRequest.verify(.rsaPKCS, key: key.publicKey, data: [1, 2, 3],
                                               signature: [UInt8](repeating: 1, count: 128), pss: nil)
            let a = try fast.pinned(to: provider).perform(request).report
            let b = try slow.pinned(to: provider).perform(request).report
            let (ca, cb) = (try #require(a.modeledCycles), try #require(b.modeledCycles))
            #expect(ca == cb, "\(provider)")
            #expect(abs(try #require(b.modeledSeconds) / (try #require(a.modeledSeconds)) - 1.2) < 1e-9, "\(provider)")
        }
    }

    @Test("The chip's latencies are the FP engine's: doubling FMUL's latency adds exactly the FMULs' cycles")
    func latenciesReachTheEngine() throws {
        var chip = ChipModel.ultraSPARCT1
        chip.latencies.fmul *= 2
        let context = OperationContext()
        let slow = OperationContext()
        let key = try CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "openssl").generateRSAKeyPair(bits: 1024)
        let request = CryptoRequest.verify(.rsaPKCS, key: key.publicKey, data: [1], signature: [UInt8](repeating: 2, count: 128), pss: nil)
        _ = try SPARCFloatProvider().perform(request, context: context)
        _ = try SPARCFloatProvider(chip: chip).perform(request, context: slow)
        let counts = try #require(context.work.tally(FloatOpCounts.self))
        let extra = try #require(slow.modeledCycles) - (try #require(context.modeledCycles))
        #expect(extra == Double(counts.fmul) * ChipModel.ultraSPARCT1.latencies.fmul)
    }
}
