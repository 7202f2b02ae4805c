import CryptoFramework
import Foundation
import Providers
@testable import EmulatedHardware
@testable import ProviderPKCS11
@testable import ProviderSPARCFloat
import TestSupport
import Testing

/// The figures `model-figures` prints (Benchmarks/ModelFigures, `make bench`)
/// come from these paths; here they are checked, not printed.
@Suite("SPARC FP engine and latency table")
struct SPARCFloatBenchmarkTests {
    @Test("the FP engine's modExp on full-length exponents equals GMP's", arguments: [1024, 2048])
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
        let (result, counts) = fp.modExpCounted(base, e, m)
        let expected = try gmp.modExp(base, e, m, secret: true, context: OperationContext())
        #expect(gmp.compare(result, expected) == 0)
        #expect(counts.floatingPointOperations > 0)
    }

    @Test("the modeled T1 latency table: every row positive, RSA-2048 slower than RSA-1024, full-length DH slower than short")
    func latencyTable() throws {
        let rows = try SPARCFloatLatencyTable.rows()
        #expect(rows.count == 10)
        #expect(rows.allSatisfy { $0.modeledSeconds > 0 && $0.fpInstructions > 0 && $0.montgomeryMultiplies > 0 })
        let sign = rows.filter { $0.operation.contains("sign") }.map(\.modeledSeconds)
        #expect(sign.count == 2 && sign[1] > sign[0])
        for pair in stride(from: 4, to: rows.count, by: 2) {
            #expect(rows[pair + 1].modeledSeconds > rows[pair].modeledSeconds, "\(rows[pair + 1].operation)")
        }
        #expect(SPARCFloatLatencyTable.markdown(rows).contains("| RSA-1024 verify |"))
    }
}

extension SPARCFloatBenchmarkTests {
    /// Prints docs/sparcfp.md's software-ECC table (`swift test --filter SPARCFloatBenchmark`).
    @Test("the software ECC latency table: same field work on the T1 and T2, less time on the T2, P-384 above P-256")
    func ecLatencyTable() throws {
        let rows = try SPARCFloatECLatencyTable.rows()
        #expect(rows.count == 8)
        #expect(rows.allSatisfy { $0.t1Seconds > 0 && $0.t2Seconds > 0 && $0.t2Seconds < $0.t1Seconds && $0.multiplies > 0 })
        for i in 0..<4 { #expect(rows[i + 4].t1Seconds > rows[i].t1Seconds, "\(rows[i + 4].operation)") }
        let verify = rows[2], sign = rows[1]
        #expect(verify.work.products > sign.work.products, "verify runs two ladders")
        print(SPARCFloatECLatencyTable.markdown(rows))
    }
}
