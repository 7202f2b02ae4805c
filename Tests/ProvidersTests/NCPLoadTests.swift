import CryptoFramework
import Providers
import Testing

@Suite("ncp/0: load in timed mode", .serialized)
struct NCPLoadTests {
    @Test("2,000 concurrent verifications on 8 MAUs × 16-entry rings: all complete, busy is counted, overflow goes to software")
    func overflowToSoftware() async throws {
        // RSA-1024 verifications (modeled 30 µs) at scale 500: each holds its MAU ≈ 15 ms
        // of wall clock, so the 8 × 16 rings fill even when requests arrive slowly
        // (TSan, a loaded machine): the device drains at most ≈ 530 jobs/s.
        let (fw, ncp) = try NCPTestSupport.framework(
            NCPConfiguration(mauCount: 8, ringSize: 16, mode: .timed(scale: 500), hangTimeoutSeconds: 60))
        let jobs = 2_000
        let reports = try await NCPTestSupport.concurrently(fw, count: jobs, NCPTestSupport.verifyAndCheck)
        #expect(reports.count == jobs, "every job completes")
        let byProvider = Dictionary(grouping: reports, by: \.provider).mapValues(\.count)
        let onDevice = byProvider["ncp/0", default: 0]
        #expect(onDevice > 0, "the device served some: \(byProvider)")
        #expect(byProvider["openssl", default: 0] > 0, "overflow went to software: \(byProvider)")
        let stats = ncp.statistics
        let qfull = stats.maus.reduce(0) { $0 + $1.qfull }
        let busyFailovers = reports.filter { $0.failovers.contains { $0.provider == "ncp/0" && $0.error.code == .busy } }.count
        #expect(qfull > 0)
        #expect(busyFailovers > 0 && busyFailovers <= jobs - onDevice)
        #expect(fw.stats(for: "ncp/0")?.failovers == busyFailovers)
        #expect(stats.maus.reduce(0) { $0 + $1.submit } == onDevice)
        #expect(stats.maus.reduce(0) { $0 + $1.nintr } == onDevice)
        #expect(stats.algorithms[.rsaPublic] == onDevice)
        #expect(stats.maus.allSatisfy { $0.submit > 0 && $0.state == .online })
        #expect(stats.maus.reduce(0) { $0 + $1.qbusy } > 0, "jobs queued behind others")
        let modeled = reports.filter { $0.provider == "ncp/0" }.compactMap(\.modeledSeconds)
        #expect(modeled.count == onDevice)
        print("ncp load: \(jobs) jobs, served \(byProvider), qfull \(qfull), qbusy \(stats.maus.map(\.qbusy)), submit per MAU \(stats.maus.map(\.submit))")
    }
}
