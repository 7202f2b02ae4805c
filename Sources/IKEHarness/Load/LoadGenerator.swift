import CryptoFramework
import Foundation
import Histogram

/// One initiator a ``LoadGenerator`` drives, whatever its IKE version: IKEv1
/// Main Mode (`ikebench load`'s ``LoadWorker`` over `PeerInitiator`) today,
/// an IKEv2 initiator by conforming the same way. Each concurrent worker gets
/// its own (its own socket, so its own source port).
public protocol LoadInitiator: Sendable {
    /// What the load is, for the report: "IKEv1 Main Mode aes128-sha256-modp2048, RSA-2048".
    var label: String { get }
    func makeWorker() async throws -> any LoadWorker
}

/// One worker of the load: sets up IKE SAs one after another.
public protocol LoadWorker: Sendable {
    /// Sets up one IKE SA with the responder (and deletes it after) and
    /// returns its setup time in nanoseconds as the initiator saw it (first
    /// request sent to last response verified).
    func establish() async throws -> UInt64
    func close() async
    /// Where the worker's SAs should run (its socket's event loop, say), or nil: the task pool.
    var executor: (any TaskExecutor)? { get }
}

extension LoadWorker {
    public var executor: (any TaskExecutor)? { nil }
}

/// The same initiator load against any responder: `concurrency` workers, each
/// setting up IKE SAs back to back for `durationSeconds` (at least one each). A failed setup is
/// counted (by its reason) and the worker goes on, so a responder that drops
/// some exchanges under load shows as failures, not as an aborted run.
public struct LoadGenerator: Sendable {
    public var concurrency: Int
    public var durationSeconds: Double

    public init(concurrency: Int, durationSeconds: Double) {
        self.concurrency = max(1, concurrency)
        self.durationSeconds = durationSeconds
    }

    private struct Tally: Sendable {
        var setups = RunTally.histogram()
        var failures: [String: Int] = [:]
    }

    public func run(_ initiator: any LoadInitiator) async throws -> LoadReport {
        let workers = try await (0..<concurrency).asyncMap { _ in try await initiator.makeWorker() }
        let cpuBefore = ProcessCPU.seconds()
        let start = MonotonicClock.nanoseconds()
        let deadline = start + UInt64(durationSeconds * 1e9)
        let tallies = await withTaskGroup(of: Tally.self) { group in
            for worker in workers {
                group.addTask(executorPreference: worker.executor) {
                    // At least one setup per worker, even when a loaded
                    // machine starts this task after the deadline.
                    var t = Tally()
                    repeat {
                        do {
                            _ = t.setups.record(max(try await worker.establish(), 1))
                        } catch {
                            t.failures[Self.reason(error), default: 0] += 1
                        }
                    } while MonotonicClock.nanoseconds() < deadline
                    return t
                }
            }
            return await group.reduce(into: [Tally]()) { $0.append($1) }
        }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        let cpu = ProcessCPU.seconds() - cpuBefore
        for w in workers { await w.close() }
        var all = Tally()
        for t in tallies {
            all.setups.add(t.setups)
            all.failures.merge(t.failures, uniquingKeysWith: +)
        }
        return LoadReport(initiator: initiator.label, concurrency: concurrency, durationSeconds: durationSeconds,
                          elapsedSeconds: elapsed, setups: all.setups, failures: all.failures, initiatorCPUSeconds: cpu)
    }

    /// A failure's reason without the exchange-specific details (cookies, numbers), so equal causes count together.
    static func reason(_ error: any Error) -> String {
        String(String(describing: error).prefix(120))
    }
}

/// What one load run measured, on the initiator.
public struct LoadReport: Sendable, Encodable {
    public let initiator: String
    public let concurrency: Int
    public let durationSeconds: Double
    public let elapsedSeconds: Double
    /// IKE SAs set up (and deleted).
    public let established: Int
    public let failed: Int
    public let failures: [String: Int]
    public let saPerSecond: Double
    /// Setup time, seconds.
    public let setup: LatencySummary
    /// CPU seconds the initiator process used during the run (user + system).
    public let initiatorCPUSeconds: Double

    init(initiator: String, concurrency: Int, durationSeconds: Double, elapsedSeconds: Double,
         setups: Histogram<UInt64>, failures: [String: Int], initiatorCPUSeconds: Double) {
        self.initiator = initiator
        self.concurrency = concurrency
        self.durationSeconds = durationSeconds
        self.elapsedSeconds = elapsedSeconds
        established = Int(setups.totalCount)
        failed = failures.values.reduce(0, +)
        self.failures = failures
        saPerSecond = elapsedSeconds > 0 ? Double(established) / elapsedSeconds : 0
        setup = RunTally.summary(setups)
        self.initiatorCPUSeconds = initiatorCPUSeconds
    }
}

/// CPU time of this process (user + system), from getrusage.
public enum ProcessCPU {
    public static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await transform(e)) }
        return out
    }
}
