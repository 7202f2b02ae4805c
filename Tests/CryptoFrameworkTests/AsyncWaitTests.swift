import CryptoFramework
import Foundation
import ProcessSupport
import Synchronization
import Testing

/// A device whose jobs complete only when the test says so: async callers
/// park on a continuation, holding no thread.
final class GatedDevice: CryptoProvider {
    let descriptor = ProviderDescriptor(name: "gate/0", summary: "gated test device", mechanisms: [.digest()])
    private let parked = Locked<[CheckedContinuation<CryptoResult, any Error>]>([])

    var waiting: Int { parked.withLock { $0.count } }

    func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        .bytes([1])
    }

    func performAsync(_ request: CryptoRequest, context: OperationContext) async throws -> CryptoResult {
        try await withCheckedThrowingContinuation { c in parked.withLock { $0.append(c) } }
    }

    func releaseAll() {
        let all = parked.withLock { p in defer { p.removeAll() }; return p }
        for c in all { c.resume(returning: .bytes([1])) }
    }
}

@Suite("Async callers")
struct AsyncWaitTests {
    @Test("5,000 concurrent async callers wait on one device without holding threads")
    func thousandsOfWaiters() async throws {
        let device = GatedDevice()
        let platform = Platform(name: "test", clockHz: nil, softwarePriority: [], makeProviders: { [device] })
        let fw = try CryptoFramework(platform: platform, policy: .inMemory(Policy()))
        let callers = 5_000
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<callers {
                group.addTask { try await fw.digest(.sha256, data: []).count }
            }
            // All callers must be parked at once: impossible if each held one of the
            // cooperative pool's few threads.
            _ = try await Polling.until(interval: 0.005) { device.waiting >= callers }
            let parkedAtOnce = device.waiting
            // Release everyone, including any late arrival, until all have returned (and this task is cancelled).
            let releaser = Task {
                _ = try? await Polling.until(timeout: .infinity, interval: 0.001) {
                    device.releaseAll()
                    return Task.isCancelled
                }
            }
            var done = 0
            for try await n in group { done += n }
            releaser.cancel()
            #expect(done == callers)
            #expect(parkedAtOnce == callers)
        }
        #expect(fw.stats(for: "gate/0")?.completed == callers)
    }
}
