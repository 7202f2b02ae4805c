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

/// A worker's error that says what failed apart from where: its ``reason``
/// leaves out the exchange's own values (SPIs, times), so equal causes are
/// counted together, and its description has them all, for the failures a
/// ``LoadReport`` keeps. An error that is not one is counted by its description.
public protocol LoadSetupError: Error, CustomStringConvertible {
    var reason: String { get }
}

/// One failed setup as the load report keeps it: when and where, why, and
/// everything the worker's error told (``LoadSetupError``: the request that
/// went unanswered or was refused, the exchange's SPIs, its retransmissions).
public struct LoadFailure: Sendable, Encodable, Equatable {
    /// Seconds from the start of the load to the failure.
    public let secondsIntoLoad: Double
    /// The worker (initiator) that failed, 1 to the concurrency.
    public let worker: Int
    /// The worker's setup that failed, counted from 1 (set-up and failed ones alike).
    public let setup: Int
    /// What the failure is counted under in ``LoadReport/failures``.
    public let reason: String
    /// The error in full.
    public let details: String
}

/// The same initiator load against any responder: `concurrency` workers, each
/// setting up IKE SAs back to back for `durationSeconds` (at least one each). A failed setup is
/// counted (by its reason) and the worker goes on, so a responder that drops
/// some exchanges under load shows as failures, not as an aborted run. The
/// first ``keptFailures`` failures are kept whole (``LoadReport/firstFailures``),
/// so a rare one can be explained after the run.
public struct LoadGenerator: Sendable {
    public var concurrency: Int
    public var durationSeconds: Double
    /// Failures kept whole per run, the earliest.
    public static let keptFailures = 5

    public init(concurrency: Int, durationSeconds: Double) {
        self.concurrency = max(1, concurrency)
        self.durationSeconds = durationSeconds
    }

    private struct Tally: Sendable {
        var setups = RunTally.histogram()
        var failures: [String: Int] = [:]
        /// This worker's first failures (each worker keeps as many as the run does; the run keeps the earliest).
        var first: [LoadFailure] = []
    }

    public func run(_ initiator: any LoadInitiator) async throws -> LoadReport {
        let workers = try await (0..<concurrency).asyncMap { _ in try await initiator.makeWorker() }
        let cpuBefore = ProcessCPU.seconds()
        let start = MonotonicClock.nanoseconds()
        let deadline = start + UInt64(durationSeconds * 1e9)
        let tallies = await withTaskGroup(of: Tally.self) { group in
            for (index, worker) in workers.enumerated() {
                group.addTask(executorPreference: worker.executor) {
                    // At least one setup per worker, even when a loaded
                    // machine starts this task after the deadline.
                    var t = Tally()
                    var attempts = 0
                    repeat {
                        attempts += 1
                        do {
                            _ = t.setups.record(max(try await worker.establish(), 1))
                        } catch {
                            let reason = Self.reason(error)
                            t.failures[reason, default: 0] += 1
                            if t.first.count < Self.keptFailures {
                                t.first.append(LoadFailure(
                                    secondsIntoLoad: Double(MonotonicClock.nanoseconds() &- start) / 1e9, worker: index + 1,
                                    setup: attempts, reason: reason, details: String(describing: error)))
                            }
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
            all.first += t.first
        }
        let first = all.first.sorted { ($0.secondsIntoLoad, $0.worker) < ($1.secondsIntoLoad, $1.worker) }.prefix(Self.keptFailures)
        return LoadReport(initiator: initiator.label, concurrency: concurrency, durationSeconds: durationSeconds,
                          elapsedSeconds: elapsed, setups: all.setups, failures: all.failures, firstFailures: Array(first),
                          initiatorCPUSeconds: cpu)
    }

    /// A failure's reason without the exchange-specific details (cookies, numbers), so equal causes count together:
    /// a ``LoadSetupError``'s own, else the error's description, cut at 120 characters either way.
    public static func reason(_ error: any Error) -> String {
        String(((error as? any LoadSetupError)?.reason ?? String(describing: error)).prefix(120))
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
    /// Failed setups by reason.
    public let failures: [String: Int]
    /// The first failures of the run (at most ``LoadGenerator/keptFailures``), each in full, earliest first.
    public let firstFailures: [LoadFailure]
    public let saPerSecond: Double
    /// Setup time, seconds.
    public let setup: LatencySummary
    /// CPU seconds the initiator process used during the run (user + system).
    public let initiatorCPUSeconds: Double

    init(initiator: String, concurrency: Int, durationSeconds: Double, elapsedSeconds: Double,
         setups: Histogram<UInt64>, failures: [String: Int], firstFailures: [LoadFailure], initiatorCPUSeconds: Double) {
        self.initiator = initiator
        self.concurrency = concurrency
        self.durationSeconds = durationSeconds
        self.elapsedSeconds = elapsedSeconds
        established = Int(setups.totalCount)
        failed = failures.values.reduce(0, +)
        self.failures = failures
        self.firstFailures = firstFailures
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
