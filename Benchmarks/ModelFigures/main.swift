import CryptoFramework
import Foundation
import Providers
import TextFormat

// Figures of the emulated providers' models and of their host cost, printed
// and never asserted (`make bench` runs this; `swift run -c release model-figures`).
// The tests check the models' correctness; this shows their numbers.

/// Seconds per call of `body`, over `rounds` calls.
func secondsPerCall(rounds: Int, _ body: () throws -> Void) rethrows -> Double {
    let start = MonotonicClock.nanoseconds()
    for _ in 0..<rounds { try body() }
    return Double(MonotonicClock.nanoseconds() - start) / 1e9 / Double(rounds)
}

/// Deterministic bytes for operands (SplitMix64), so runs are comparable.
func operandBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt8(truncatingIfNeeded: z ^ (z >> 31))
    }
}

func ncpModel() throws {
    let model = NCPTimingModel()
    print("ncp/0 model (UltraSPARC T1, 8 MAUs):")
    for (mechanism, bits) in [(Mechanism.rsaPKCS, 1024), (.rsaPKCS, 2048), (.dhPKCSKeyPairGen, 1024),
                              (.dhPKCSKeyPairGen, 2048), (.dhPKCSDerive, 2048), (.rsaPKCSKeyPairGen, 1024)] {
        guard let cost = model.modeledCost(mechanism: mechanism, bits: bits),
              let rate = model.modeledThroughput(mechanism: mechanism, bits: bits)
        else { continue }
        print(String(format: "  %@ %4d bits: latency %8.1f µs (MAU %d + host %d cycles, %d Montgomery multiplies), device %7.0f ops/s",
                     TextColumn.left(26).pad(mechanism.name), bits, cost.seconds * 1e6, cost.mauCycles, cost.hostCycles, cost.montgomeryMultiplies, rate))
    }
    print(String(format: "  RSA-1024 verify latency %.1f µs", model.modeledVerifyCost(bits: 1024).seconds * 1e6))
}

func ncpHostOverhead() throws {
    let framework = try CryptoFramework(platform: .host, policy: .inMemory(Policy()))
    let key = try framework.pinned(to: "openssl").generateRSAKeyPair(bits: 1024)
    let data = operandBytes(20, seed: 1)
    let signature = try framework.pinned(to: "openssl").sign(.rsaPKCS, key: key, data: data)
    let request = CryptoRequest.verify(.rsaPKCS, key: key.publicKey, data: data, signature: signature, pss: nil)
    let ncp = NCPProvider(configuration: NCPConfiguration(mode: .fast))
    let gmp = GMPProvider()
    _ = try ncp.perform(request, context: OperationContext())  // start the workers
    let n = 2_000
    let direct = try secondsPerCall(rounds: n) { _ = try gmp.perform(request, context: OperationContext()) }
    let device = try secondsPerCall(rounds: n) { _ = try ncp.perform(request, context: OperationContext()) }
    print(String(format: "ncp/0 fast mode, host: RSA-1024 verify %.1f µs via the device, %.1f µs on gmp directly: %.1f µs per job",
                 device * 1e6, direct * 1e6, (device - direct) * 1e6))
}

func sparcfpHostModExp() {
    let gmp = GMPEngine(), fp = FloatModExpEngine()
    for bits in [1024, 2048] {
        var modulus = operandBytes(bits / 8, seed: UInt64(bits))
        modulus[0] |= 0x80
        modulus[modulus.count - 1] |= 1
        let m = fp.number(bigEndian: modulus)
        let base = fp.number(bigEndian: operandBytes(bits / 8 - 1, seed: UInt64(bits) + 1))
        let e = fp.number(bigEndian: operandBytes(bits / 8, seed: UInt64(bits) + 2))
        var counts = FloatOpCounts()
        let rounds = 3
        let fpTime = secondsPerCall(rounds: rounds) { counts = fp.modExpCounted(base, e, m).1 }
        let gmpTime = secondsPerCall(rounds: rounds) {
            _ = try? gmp.modExp(base, e, m, secret: true, context: OperationContext())
        }
        print(String(format: "sparcfp modExp %d-bit, full-length exponent: host FP engine %.2f ms, GMP mpn_sec_powm %.3f ms (×%.0f); modeled T1 %.1f ms, %d FP instructions",
                     bits, fpTime * 1e3, gmpTime * 1e3, fpTime / gmpTime, ChipModel.ultraSPARCT1.seconds(counts) * 1e3,
                     counts.floatingPointOperations))
    }
}

do {
    try ncpModel()
    print("")
    try ncpHostOverhead()
    print("")
    sparcfpHostModExp()
    print("")
    print("sparcfp modeled T1 latencies (docs/sparcfp.md):")
    print(SPARCFloatLatencyTable.markdown(try SPARCFloatLatencyTable.rows()))
} catch {
    StandardError.write("model-figures: \(error)\n")
    exit(1)
}
