import CryptoFramework
import Foundation
import Providers
import Testing

/// The model's figures are printed by `model-figures` (Benchmarks/ModelFigures,
/// `make bench`); here they are checked against what was published.
@Suite("ncp/0: modeled performance")
struct NCPBenchmarkTests {
    @Test("modeled RSA-1024 sign throughput of the 8-MAU device is inside the published 14,000–20,000/s")
    func rsa1024Throughput() throws {
        let throughput = try #require(NCPTimingModel().modeledThroughput(mechanism: .rsaPKCS, bits: 1024, mauCount: 8))
        #expect((14_000...20_000).contains(throughput), "modeled \(throughput)/s")
        for (mechanism, bits) in [(Mechanism.rsaPKCS, 1024), (.rsaPKCS, 2048), (.dhPKCSKeyPairGen, 1024),
                                  (.dhPKCSKeyPairGen, 2048), (.dhPKCSDerive, 2048), (.rsaPKCSKeyPairGen, 1024)] {
            let cost = try #require(NCPTimingModel().modeledCost(mechanism: mechanism, bits: bits))
            let rate = try #require(NCPTimingModel().modeledThroughput(mechanism: mechanism, bits: bits))
            #expect(cost.seconds > 0 && rate > 0 && cost.montgomeryMultiplies > 0, "\(mechanism.name) \(bits)")
        }
        #expect(NCPTimingModel().modeledVerifyCost(bits: 1024).seconds > 0)
    }

    @Test("fast mode serves every job on the device and counts it once")
    func hostOverhead() throws {
        let ncp = NCPProvider(configuration: NCPConfiguration(mode: .fast))
        let key = NCPTestSupport.key
        let data = NCPTestSupport.message(1)
        let signature = try NCPTestSupport.checker.sign(.rsaPKCS, key: key, data: data)
        let request = CryptoRequest.verify(.rsaPKCS, key: key.publicKey, data: data, signature: signature, pss: nil)
        let n = 200
        for _ in 0...n {
            guard case .verified(let ok) = try ncp.perform(request, context: OperationContext()) else {
                Issue.record("verify did not answer with a verdict")
                return
            }
            #expect(ok)
        }
        #expect(ncp.statistics.algorithms[.rsaPublic] == n + 1)
    }
}
