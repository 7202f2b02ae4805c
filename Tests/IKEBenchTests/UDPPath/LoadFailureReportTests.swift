import CryptoFramework
import IKEHarness
import IKEProtocol
@testable import IKEBench
import IKEServer
import IKETestKit
import Synchronization
import Testing

/// What the load keeps of a failed setup: each failure counted under a
/// reason without the exchange's own values, and the first few in full —
/// the request that went unanswered or was refused, the exchange's SPIs, how
/// often the request went out — so a rare failure is explained after the run.
@Suite("load failure reports")
struct LoadFailureReportTests {
    /// A worker whose every setup fails with a ``LoadSetupError`` naming a SPI of its own.
    struct Failing: LoadInitiator {
        struct Failure: LoadSetupError {
            let spi: Int
            var reason: String { "IKEv2 IKE_AUTH: no answer after 3 sends" }
            var description: String { reason + " [SPIi \(spi)]" }
        }
        struct Plain: Error, CustomStringConvertible { var description: String { "a plain error" } }
        struct Worker: LoadWorker {
            let spi: Int
            let plain: Bool
            func establish() async throws -> UInt64 {
                if plain { throw Plain() }
                throw Failure(spi: spi)
            }
            func close() async {}
        }
        final class Made: Sendable { let count = Atomic<Int>(0) }
        let label = "failing"
        let made = Made()
        /// Every worker after the first `typed` throws a ``Plain`` error.
        let typed: Int
        func makeWorker() async throws -> any LoadWorker {
            let n = made.count.add(1, ordering: .relaxed).newValue
            return Worker(spi: 1000 + n, plain: n > typed)
        }
    }

    @Test("eight failed setups: counted by reason, the first five kept in full with their worker, setup and details")
    func keptFailures() async throws {
        // Duration 0: each worker sets up exactly once (at least one setup per worker), so the counts are exact.
        let report = try await LoadGenerator(concurrency: 8, durationSeconds: 0).run(Failing(typed: 6))
        #expect(report.established == 0)
        #expect(report.failed == 8)
        #expect(report.failures == ["IKEv2 IKE_AUTH: no answer after 3 sends": 6, "a plain error": 2])
        #expect(report.firstFailures.count == LoadGenerator.keptFailures)
        #expect(Set(report.firstFailures.map(\.worker)).count == LoadGenerator.keptFailures, "each from another worker")
        #expect(report.firstFailures.allSatisfy { (1...8).contains($0.worker) && $0.setup == 1 })
        #expect(zip(report.firstFailures, report.firstFailures.dropFirst()).allSatisfy { $0.secondsIntoLoad <= $1.secondsIntoLoad })
        for f in report.firstFailures {
            if f.reason == "a plain error" {
                #expect(f.details == "a plain error")
            } else {
                // Worker k was made k-th: its SPI is 1000 + k, in the details and not in the reason.
                #expect(f.details == "IKEv2 IKE_AUTH: no answer after 3 sends [SPIi \(1000 + f.worker)]")
            }
        }
        let text = LoadText.report(report)
        #expect(text.contains("first failures, in full:"))
        for f in report.firstFailures { #expect(text.contains("initiator \(f.worker), its setup 1: \(f.details)")) }
    }

    @Test("IKEv2 against a peer that never answers: the failure names IKE_SA_INIT, its SPI as sent, and its sends",
          .timeLimit(.minutes(1)))
    func ikev2Unanswered() async throws {
        let sink = try await UDPDatagramClient.connect(host: "127.0.0.1", port: 9, localHost: "127.0.0.1")
        defer { Task { await sink.close() } }
        let initiator = IKEv2PeerInitiator(configuration: TwoVersionResponder.ikev2Initiator(), framework: IKETestSupport.initiatorFramework,
                                           timeoutSeconds: 0.05, attempts: 2)
        let worker = try await UDPPeerLoad(initiator: initiator, host: "127.0.0.1", port: sink.localPort, label: "silent").connectWorker()
        let failure = try await #require(throws: PeerSetupFailure.self) { _ = try await worker.establish() }
        await worker.close()
        let request = try #require(await sink.receive(timeout: 10), "the IKE_SA_INIT reached the silent peer")
        let spi = Self.hex(request[0..<8])
        #expect(failure.progress.version == 2)
        #expect(failure.progress.request == "IKE_SA_INIT")
        #expect(failure.progress.sends == 2 && failure.progress.totalSends == 2)
        #expect(failure.reason == "IKEv2 IKE_SA_INIT: no answer after 2 sends 0.05 s apart")
        #expect(failure.description.hasPrefix(failure.reason))
        #expect(failure.description.contains("SPIi \(spi) SPIr 0, message ID 0, IKE_SA_INIT sent 2 times (2 sends in all)"),
                "\(failure)")
        #expect(LoadGenerator.reason(failure) == failure.reason)
    }

    @Test("IKEv1 against a peer that never answers: message 1, its cookie, its sends", .timeLimit(.minutes(1)))
    func ikev1Unanswered() async throws {
        let sink = try await UDPDatagramClient.connect(host: "127.0.0.1", port: 9, localHost: "127.0.0.1")
        defer { Task { await sink.close() } }
        var initiator = UDPSocketTests.initiator(marker: false)
        initiator.timeoutSeconds = 0.05
        initiator.attempts = 3
        let worker = try await UDPPeerLoad(initiator: initiator, host: "127.0.0.1", port: sink.localPort, label: "silent").connectWorker()
        let failure = try await #require(throws: PeerSetupFailure.self) { _ = try await worker.establish() }
        await worker.close()
        let request = try #require(await sink.receive(timeout: 10))
        let cookie = Self.hex(request[0..<8])
        #expect(failure.reason == "IKEv1 message 1: no answer to message 1 after 3 sends 0.05 s apart")
        #expect(failure.description.contains("SPIi \(cookie) SPIr 0, message ID 0, message 1 sent 3 times (3 sends in all)"),
                "\(failure)")
    }

    @Test("IKEv2 refused in IKE_AUTH (the responder does not trust our key): the failure names IKE_AUTH, both SPIs and the Notify",
          .timeLimit(.minutes(3)), arguments: [false, true])
    func ikev2Refused(cookieDemanded: Bool) async throws {
        // With a cookie demanded for every IKE_SA_INIT (threshold 0) the setup restarts once.
        let service = TwoVersionResponder.service(
            cookies: cookieDemanded ? IKEv2CookiePolicy(threshold: 0, thresholdPerAddress: 0) : TwoVersionResponder.noCookies)
        var configuration = TwoVersionResponder.ikev2Initiator()
        // Signed with the responder's own key: the responder trusts only the initiator's.
        configuration.identity = IKEv2Identity(key: .rsa(IKETestSupport.identities.responder), id: TwoVersionResponder.initiatorID)
        configuration.skipsResponderSignatureCheck = true
        let initiator = IKEv2PeerInitiator(configuration: configuration, framework: IKETestSupport.initiatorFramework,
                                           timeoutSeconds: 60, attempts: 2)  // a refusal ends the wait at once
        try await TwoVersionResponder.serving(service) { server in
            let worker = try await UDPPeerLoad(initiator: initiator, host: "127.0.0.1", port: server.port, label: "refused").connectWorker()
            let failure = try await #require(throws: PeerSetupFailure.self) { _ = try await worker.establish() }
            await worker.close()
            let code = IKEv2Error.Code.authenticationFailed.rawValue
            #expect(failure.progress.request == "IKE_AUTH")
            #expect(failure.progress.messageID == 1)
            #expect(failure.progress.initiatorSPI != 0 && failure.progress.responderSPI != 0)
            if cookieDemanded {
                #expect(failure.progress.restarts == 1, "IKE_SA_INIT sent anew with the COOKIE: \(failure)")
                #expect(failure.progress.totalSends == 3, "IKE_SA_INIT, again with the COOKIE, IKE_AUTH")
                #expect(failure.description.contains("restarted 1"), "\(failure)")
            } else {
                #expect(failure.progress.restarts == 0)
                #expect(failure.progress.totalSends == 2, "IKE_SA_INIT once, IKE_AUTH once")
            }
            #expect(failure.progress.sends == 1, "IKE_AUTH went out once")
            #expect(failure.reason.hasPrefix("IKEv2 IKE_AUTH: "))
            #expect(failure.reason.contains("the responder refused IKE_AUTH with notify \(code)"), "\(failure)")
            let spir = (0..<8).map { UInt8(truncatingIfNeeded: failure.progress.responderSPI >> (56 - 8 * $0)) }
            #expect(failure.description.contains("SPIr \(Self.hex(spir[...]))"), "\(failure)")
        }
    }

    /// Bytes as the report writes an SPI: two hex digits each.
    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
