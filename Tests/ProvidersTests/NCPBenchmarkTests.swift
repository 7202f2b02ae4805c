import CryptoFramework
import Foundation
import Providers
import Testing

@Suite("ncp/0: modeled performance (figures printed)")
struct NCPBenchmarkTests {
    @Test("modeled RSA-1024 sign throughput of the 8-MAU device is inside the published 14,000–20,000/s")
    func rsa1024Throughput() throws {
        let throughput = try #require(NCPTimingModel().modeledThroughput(mechanism: .rsaPKCS, bits: 1024, mauCount: 8))
        #expect((14_000...20_000).contains(throughput), "modeled \(throughput)/s")
        print(String(format: "ncp model: RSA-1024 sign, 8 MAUs: %.0f ops/s", throughput))
        for (mechanism, bits) in [(Mechanism.rsaPKCS, 1024), (.rsaPKCS, 2048), (.dhPKCSKeyPairGen, 1024),
                                  (.dhPKCSKeyPairGen, 2048), (.dhPKCSDerive, 2048), (.rsaPKCSKeyPairGen, 1024)] {
            let cost = try #require(NCPTimingModel().modeledCost(mechanism: mechanism, bits: bits))
            let rate = try #require(NCPTimingModel().modeledThroughput(mechanism: mechanism, bits: bits))
            print(String(format: "ncp model: %@ %d: latency %.1f µs (MAU %d + host %d cycles, %d montmul), device %.0f ops/s",
                         mechanism.name, bits, cost.seconds * 1e6, cost.mauCycles, cost.hostCycles,
                         cost.montgomeryMultiplies, rate))
        }
        let verify = NCPTimingModel().modeledVerifyCost(bits: 1024)
        print(String(format: "ncp model: RSA-1024 verify latency %.1f µs", verify.seconds * 1e6))
    }

    @Test("host overhead per job in fast mode (submit → completion), printed")
    func hostOverhead() throws {
        let ncp = NCPProvider(configuration: NCPConfiguration(mode: .fast))
        let gmp = GMPProvider()
        let key = NCPTestSupport.key
        let data = NCPTestSupport.message(1)
        let signature = try NCPTestSupport.checker.sign(.rsaPKCS, key: key, data: data)
        let request = CryptoRequest.verify(.rsaPKCS, key: key.publicKey, data: data, signature: signature, pss: nil)
        _ = try ncp.perform(request, context: OperationContext())  // start the workers
        func time(_ body: () throws -> Void) rethrows -> Double {
            let start = MonotonicClock.nanoseconds()
            try body()
            return Double(MonotonicClock.nanoseconds() - start)
        }
        let n = 500
        let direct = try time { for _ in 0..<n { _ = try gmp.perform(request, context: OperationContext()) } }
        let viaDevice = try time { for _ in 0..<n { _ = try ncp.perform(request, context: OperationContext()) } }
        print(String(format: "ncp fast mode: RSA-1024 verify %.1f µs via the device, %.1f µs directly on gmp: overhead %.1f µs per job",
                     viaDevice / Double(n) / 1e3, direct / Double(n) / 1e3, (viaDevice - direct) / Double(n) / 1e3))
        #expect(ncp.statistics.algorithms[.rsaPublic] == n + 1)
    }
}
