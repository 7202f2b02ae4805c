import CryptoFramework
import Foundation
import Providers
@testable import EmulatedHardware
@testable import Platforms
@testable import ProviderPKCS11
@testable import ProviderSPARCFloat
import Testing

/// The t2000 platform's timed mode (`CRYPTOFRAMEWORK_TIMING`): every emulated
/// operation held for its modeled time × scale. Asserted through the hold the
/// provider records and, as a lower bound only, the elapsed time.
@Suite("Timed mode of the emulated T2000")
struct EmulatedTimingTests {
    static let openssl = try! CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "openssl")
    static let key = try! openssl.generateRSAKeyPair(bits: 1024)

    @Test("fast, timed and timed:SCALE parse; anything else is an error naming the variable")
    func parsing() throws {
        #expect(try EmulatedTiming(parsing: "fast") == .fast)
        #expect(try EmulatedTiming(parsing: "timed") == .timed(scale: 1))
        #expect(try EmulatedTiming(parsing: "timed:0.25") == .timed(scale: 0.25))
        #expect(try EmulatedTiming.fromEnvironment([:]) == .fast)
        #expect(try EmulatedTiming.fromEnvironment(["CRYPTOFRAMEWORK_TIMING": ""]) == .fast)
        for bad in ["slow", "timed:", "timed:-1", "timed:nan", "timed:x", "Timed"] {
            let error = #expect(throws: CryptoError.self) { try EmulatedTiming(parsing: bad) }
            #expect(error?.code == .argumentsBad)
            #expect(error?.message.contains("CRYPTOFRAMEWORK_TIMING") == true, "\(bad)")
        }
        #expect(EmulatedTiming.fast.holdNanoseconds(modeledSeconds: 1) == nil)
        #expect(EmulatedTiming.timed(scale: 0).holdNanoseconds(modeledSeconds: 1) == nil)
        #expect(EmulatedTiming.timed(scale: 0.5).holdNanoseconds(modeledSeconds: 2) == 1_000_000_000)
    }

    @Test("The FP trap penalty variable sets sparcfp's cost model; a malformed one is an error")
    func penaltyFromEnvironment() throws {
        #expect(try ChipModel.ultraSPARCT1.withPenaltyFromEnvironment([:]) == .ultraSPARCT1)
        #expect(try ChipModel.ultraSPARCT1.withPenaltyFromEnvironment(["CRYPTOFRAMEWORK_FP_TRAP_PENALTY": "559.3"]).fpTrapPenaltyCycles == 559.3)
        #expect(throws: CryptoError.self) { try ChipModel.ultraSPARCT1.withPenaltyFromEnvironment(["CRYPTOFRAMEWORK_FP_TRAP_PENALTY": "-3"]) }
    }

    /// One RSA-1024 signature on sparcfp, synchronous or async, through a t2000 framework timed at `scale`.
    static func sparcfpSign(scale: Double, async: Bool) async throws -> (report: OperationReport, elapsed: UInt64) {
        let fw = try CryptoFramework(platform: .t2000(timing: .timed(scale: scale)), policy: .inMemory(Policy())).pinned(to: "sparcfp")
        let data = [UInt8](repeating: 0x5a, count: 20)
        let start = MonotonicClock.nanoseconds()
        let request = CryptoRequest.sign(.rsaPKCS, key: key, data: data, pss: nil)
        let reported: Reported<CryptoResult>
        if async {
            reported = try await fw.perform(request)
        } else {
            reported = try syncPerform(fw, request)
        }
        let elapsed = MonotonicClock.nanoseconds() - start
        guard case .bytes(let signature) = reported.value else { throw CryptoError(.deviceError, "no signature") }
        #expect(try Self.syncVerify(data, signature))
        return (reported.report, elapsed)
    }

    /// The synchronous API, called from outside the async context.
    static func syncPerform(_ fw: CryptoFramework, _ request: CryptoRequest) throws -> Reported<CryptoResult> {
        try fw.perform(request)
    }

    static func syncVerify(_ data: [UInt8], _ signature: [UInt8]) throws -> Bool {
        try openssl.verify(.rsaPKCS, key: key.publicKey, data: data, signature: signature)
    }

    @Test("sparcfp timed: the hold is its modeled time × scale, recorded, and the call takes at least that long",
          arguments: [false, true])
    func sparcfpHolds(async: Bool) async throws {
        let scale = 0.02  // RSA-1024 sign is ~114 ms modeled: a ~2 ms hold
        let (report, elapsed) = try await Self.sparcfpSign(scale: scale, async: async)
        #expect(report.provider == "sparcfp")
        let modeled = try #require(report.modeledSeconds)
        let hold = try #require(report.counts[EmulatedTiming.holdCountName])
        #expect(hold == Int(modeled * scale * 1e9))
        #expect(elapsed >= UInt64(hold))
    }

    @Test("sparcfp fast (the default): no hold is recorded")
    func sparcfpFast() throws {
        let fw = try CryptoFramework(platform: .t2000(timing: .fast), policy: .inMemory(Policy())).pinned(to: "sparcfp")
        let report = try fw.perform(.sign(.rsaPKCS, key: Self.key, data: [1, 2, 3], pss: nil)).report
        #expect(report.modeledSeconds != nil)
        #expect(report.counts[EmulatedTiming.holdCountName] == nil)
    }

    @Test("ncp/0 on a timed t2000: the MAU holds the job for its modeled latency × scale and records it")
    func ncpHolds() throws {
        let scale = 2.0  // RSA-1024 sign is ~0.5 ms modeled on a MAU
        let fw = try CryptoFramework(platform: .t2000(timing: .timed(scale: scale)), policy: .inMemory(Policy()))
        let ncp = try #require(fw.provider(named: "ncp/0") as? NCPProvider)
        #expect(ncp.configuration.mode == .timed(scale: scale))
        let sparcfp = try #require(fw.provider(named: "sparcfp") as? SPARCFloatProvider)
        #expect(sparcfp.timing == .timed(scale: scale))
        let start = MonotonicClock.nanoseconds()
        let report = try fw.perform(.sign(.rsaPKCS, key: Self.key, data: [9, 9, 9], pss: nil)).report
        let elapsed = MonotonicClock.nanoseconds() - start
        #expect(report.provider == "ncp/0")
        let modeled = try #require(report.modeledSeconds)
        let hold = try #require(report.counts[EmulatedTiming.holdCountName])
        #expect(hold == Int(modeled * scale * 1e9))
        #expect(elapsed >= UInt64(hold))
    }

    @Test("sparcfp timed: the framework's rule-5 check of a device signature is computed but not held")
    func frameworkCheckIsNotHeld() throws {
        let sparcfp = SPARCFloatProvider(timing: .timed(scale: 1000))
        let sign = try SPARCFloatProvider().perform(.sign(.rsaPKCS, key: Self.key, data: [4, 5, 6], pss: nil), context: OperationContext())
        guard case .bytes(let signature) = sign else { Issue.record("no signature"); return }
        let verify = CryptoRequest.verify(.rsaPKCS, key: Self.key.publicKey, data: [4, 5, 6], signature: signature, pss: nil)
        let check = OperationContext(isFrameworkCheck: true)
        guard case .verified(let ok) = try sparcfp.perform(verify, context: check) else { Issue.record("no verdict"); return }
        #expect(ok)
        #expect(check.counts[EmulatedTiming.holdCountName] == nil)
        // The same request in an ordinary context is held (and says so).
        let ordinary = OperationContext()
        _ = try SPARCFloatProvider(timing: .timed(scale: 0.001)).perform(verify, context: ordinary)
        #expect(ordinary.counts[EmulatedTiming.holdCountName] != nil)
        #expect(check.modeledSeconds != nil)  // still modeled: only the hold is skipped
    }
}
