import CryptoFramework
import ProcessSupport
import Providers
import TestSupport
import Testing

@Suite("ncp/0: fault injection", .serialized)
struct NCPFaultTests {
    @Test("job errors: every job completes elsewhere or on retry, errors are counted")
    func jobErrors() async throws {
        let (fw, ncp) = try NCPTestSupport.framework(
            NCPConfiguration(mauCount: 4, faults: NCPFaultSettings(jobErrorRate: 0.3)))
        let jobs = 300
        let reports = try await NCPTestSupport.concurrently(fw, count: jobs, NCPTestSupport.verifyAndCheck)
        #expect(reports.count == jobs)
        let stats = ncp.statistics
        let deviceErrors = reports.filter { $0.failovers.contains { $0.provider == "ncp/0" && $0.error.code == .deviceError } }.count
        #expect(stats.injectedJobErrors > 0)
        #expect(stats.injectedJobErrors == deviceErrors)
        #expect(stats.maus.reduce(0) { $0 + $1.errors } == stats.injectedJobErrors)
        #expect(fw.stats(for: "ncp/0")?.failovers == deviceErrors)
        #expect(reports.filter { $0.provider == "ncp/0" }.count == stats.algorithms[.rsaPublic])
        ncp.faults.repair()
        #expect(try await NCPTestSupport.verifyAndCheck(fw, 0).provider == "ncp/0")
    }

    @Test("a hung MAU is taken offline by the watchdog and its jobs resubmitted; repair brings it back")
    func hungMAU() async throws {
        // A 2 s stall bound. Only the injected hang can trip it: a healthy job's
        // time counts as its thread's CPU (≈0.1 ms here), so a worker starved on
        // a loaded machine under TSan is not hung (NCPWatchdogTests).
        let (fw, ncp) = try NCPTestSupport.framework(
            NCPConfiguration(mauCount: 4, mode: .timed(scale: 50), hangTimeoutSeconds: 2))
        ncp.faults.hang(mau: 0)
        let jobs = 300
        let reports = try await NCPTestSupport.concurrently(fw, count: jobs, NCPTestSupport.verifyAndCheck)
        #expect(reports.count == jobs)
        // The hung MAU holds its first job until the watchdog acts; the jobs may all be done before.
        #expect(try await Polling.until { ncp.statistics.hangsDetected >= 1 }, "the watchdog found the hung MAU")
        let stats = ncp.statistics
        #expect(stats.hangsDetected == 1)
        #expect(stats.maus[0].state == .offline)
        #expect(stats.maus[0].errors == 1)
        #expect(stats.resubmitted >= 1, "the hung MAU's jobs went to the others")
        #expect(stats.maus.filter { $0.state == .offline }.count == 1, "only the hung MAU went offline")
        #expect(stats.maus.reduce(0) { $0 + $1.errors } == 1)
        #expect(stats.maus[0].nintr == 0, "the hung MAU answered nothing")
        #expect(reports.filter { $0.provider == "ncp/0" }.count == stats.algorithms[.rsaPublic])
        #expect(!ncp.isFailed)

        ncp.faults.repair()
        #expect(ncp.statistics.maus[0].state == .online)
        let after = try await NCPTestSupport.concurrently(fw, count: 64, NCPTestSupport.verifyAndCheck)
        #expect(after.allSatisfy { $0.provider == "ncp/0" || $0.failovers.contains { $0.error.code == .busy } })
        #expect(ncp.statistics.maus[0].nintr > 0, "the repaired MAU serves again")
    }

    @Test("all MAUs offline: the provider FAILS, queued jobs and new requests go to software; repair selects it again")
    func allOffline() async throws {
        let (fw, ncp) = try NCPTestSupport.framework(
            NCPConfiguration(mauCount: 4, mode: .timed(scale: 500), hangTimeoutSeconds: 600))
        // Every MAU holds its jobs (hung, and the watchdog far away) so the queue is
        // still there whenever the poller gets to look, however starved it is (TSan,
        // a loaded machine); the jobs are drained by the fault, not awaited.
        for mau in 0..<4 { ncp.faults.hang(mau: mau) }
        // Jobs queued on the device when it goes away are drained and fail recoverably.
        let inFlight = Task { try await NCPTestSupport.concurrently(fw, count: 64, NCPTestSupport.verifyAndCheck) }
        #expect(try await Polling.until { ncp.load >= 8 }, "jobs are queued on the device")
        ncp.faults.takeAllOffline()
        let reports = try await inFlight.value
        #expect(reports.count == 64)
        #expect(ncp.isFailed)
        #expect(ncp.statistics.status == "fail")
        #expect(ncp.kstats.first { $0.name == "ncp0" }?.state == "fail")
        let drained = reports.filter { $0.failovers.contains { $0.provider == "ncp/0" && $0.error.code == .providerFailed } }
        #expect(!drained.isEmpty, "queued jobs were failed back to the framework")
        #expect(drained.allSatisfy { $0.provider != "ncp/0" })

        let failedOver = try await NCPTestSupport.verifyAndCheck(fw, 1)
        #expect(failedOver.provider == "openssl")
        #expect(failedOver.failovers.isEmpty, "a FAILED provider is not even tried")

        ncp.faults.repair()
        #expect(!ncp.isFailed && ncp.statistics.status == "online")
        #expect(try await NCPTestSupport.signAndCheck(fw, 2).provider == "ncp/0")
        #expect(try await NCPTestSupport.verifyAndCheck(fw, 3).provider == "ncp/0")
    }

    @Test("a corrupted RSA decryption power is caught before its padding is read, and decrypted elsewhere")
    func corruptedDecryption() async throws {
        let (fw, ncp) = try NCPTestSupport.framework(NCPConfiguration(mauCount: 2))
        let key = NCPTestSupport.key
        ncp.faults.corruptNextRSAPrivateResults(3)
        var failedOver = 0
        for i in 0..<8 {
            let message = NCPTestSupport.message(i)
            let ciphertext = try await fw.encrypt(.rsaPKCS, key: key.publicKey, data: message)
            let reported = try await fw.perform(.decryptRSA(.rsaPKCS, key: key, data: ciphertext, oaep: nil))
            #expect(try reported.value.keyMaterial().bytes == message, "job \(i) by \(reported.report.provider)")
            if reported.report.failovers.contains(where: { $0.provider == "ncp/0" && $0.error.code == .deviceError }) {
                failedOver += 1
                #expect(reported.report.provider != "ncp/0")
            }
        }
        #expect(ncp.statistics.injectedCorruptions == 3)
        #expect(failedOver == 3)
    }

    @Test("a corrupted RSA private result is caught by the framework's check and recomputed elsewhere")
    func corruptedResult() async throws {
        let (fw, ncp) = try NCPTestSupport.framework(NCPConfiguration(mauCount: 4))
        ncp.faults.corruptNextRSAPrivateResults(5)
        var reports: [OperationReport] = []
        for i in 0..<20 { reports.append(try await NCPTestSupport.signAndCheck(fw, i)) }
        #expect(ncp.statistics.injectedCorruptions == 5)
        #expect(fw.stats(for: "ncp/0")?.resultCheckFailures == 5)
        let caught = reports.filter { $0.failovers.contains { $0.provider == "ncp/0" && $0.error.message.contains("s^e mod n") } }
        #expect(caught.count == 5)
        #expect(caught.allSatisfy { $0.provider == "openssl" })
        #expect(reports.filter { $0.provider == "ncp/0" }.count == 15)
    }
}
