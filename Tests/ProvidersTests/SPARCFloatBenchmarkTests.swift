import CryptoFramework
import Foundation
import Providers
@testable import EmulatedHardware
@testable import ProviderPKCS11
@testable import ProviderSPARCFloat
import TestSupport
import Testing

/// Figures, printed, never asserted (machines here are shared and noisy):
/// host time per modular exponentiation of the FP engine against GMP, and the
/// modeled T1 latency table of docs/sparcfp.md. Run with
/// `swift test --filter SPARCFloatBenchmark` (a debug build: host times are
/// those of unoptimised Swift against optimised GMP).
@Suite("SPARC FP benchmark figures (printed)")
struct SPARCFloatBenchmarkTests {
    static func seconds(_ body: () -> Void) -> Double {
        let start = MonotonicClock.nanoseconds()
        body()
        return Double(MonotonicClock.nanoseconds() - start) / 1e9
    }

    @Test("Host time per modExp: FP engine vs GMP (full-length exponents)", arguments: [1024, 2048])
    func hostModExp(bits: Int) throws {
        let gmp = GMPEngine(), fp = FloatModExpEngine()
        var rng = SplitMix64(seed: UInt64(bits))
        let n = bits / 32
        var mw = (0..<n).map { _ in rng.word() }
        mw[n - 1] |= 0x8000_0000
        mw[0] |= 1
        let m = FloatModExpEngine.number(words: mw)
        let base = FloatModExpEngine.number(words: (0..<(n - 1)).map { _ in rng.word() })
        let e = FloatModExpEngine.number(words: (0..<n).map { _ in rng.word() })
        let rounds = 3
        var counts = FloatOpCounts()
        let fpTime = Self.seconds { for _ in 0..<rounds { counts = fp.modExpCounted(base, e, m).1 } } / Double(rounds)
        let gmpTime = Self.seconds {
            for _ in 0..<rounds { _ = try! gmp.modExp(base, e, m, secret: true, context: OperationContext()) }
        } / Double(rounds)
        _ = try #require(gmpTime > 0)
        print(String(format: "sparcfp modExp %d-bit: host FP engine %.2f ms, GMP mpz_powm_sec %.3f ms (×%.0f); modeled T1 %.1f ms, %d FP instructions",
                     bits, fpTime * 1e3, gmpTime * 1e3, fpTime / gmpTime, ChipModel.ultraSPARCT1.seconds(counts) * 1e3,
                     counts.floatingPointOperations))
    }

    @Test("Modeled T1 latencies of RSA-1024/2048 and DH groups 2/5/14 on sparcfp")
    func latencyTable() throws {
        let rows = try SPARCFloatLatencyTable.rows()
        print("sparcfp modeled T1 latencies:\n" + SPARCFloatLatencyTable.markdown(rows))
    }
}
