import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Publishes a framework's provider counters to a per-process file, so that a
/// process that only loaded the PKCS#11 module (charon) can be watched from
/// outside, as Solaris' `kstat -m ncp` watched the kernel.
///
/// Opt-in, as a guest in someone else's process must be: nothing is written
/// unless `CRYPTOFRAMEWORK_KSTAT_DIR` names a directory (made 0700 if missing)
/// or the framework is built with a kstat directory.
/// The file is `<pid>.<n>.json` there (n: the framework's number in its
/// process, as ikebench runs two), replaced atomically (temporary file, then
/// rename), at most once per ``interval`` on the thread that completed a
/// request; a change inside the interval is written by one trailing write on a
/// libdispatch queue when the interval ends, so the file is never staler than
/// that. The file is removed when the framework goes away (C_Finalize).
final class KstatPublisher: Sendable {
    /// Long enough that a busy process spends nothing noticeable writing;
    /// short enough that a reader after a negotiation sees it.
    static let interval: UInt64 = 100_000_000

    let directory: URL
    /// This framework's number within the process.
    let sequence: Int
    private static let nextSequence = Atomic<Int>(0)
    private struct State {
        var lastWrite: UInt64 = 0
        var trailingWriteScheduled = false
        var writtenPath: String?
    }
    private let state = Locked(State())
    /// One write at a time: the trailing write and a due one may otherwise meet on the temporary file.
    private let writing = Locked()

    init(directory: URL) {
        self.directory = directory
        self.sequence = Self.nextSequence.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    deinit {
        if let path = state.withLock({ $0.writtenPath }) { unlink(path) }
    }

    /// A request completed: write now if the interval has passed, else make
    /// sure one write follows when it does.
    func changed(_ registry: Registry) {
        let now = MonotonicClock.nanoseconds()
        let due: Bool = state.withLock { s in
            if now &- s.lastWrite >= Self.interval {
                s.lastWrite = now
                return true
            }
            if s.trailingWriteScheduled { return false }
            s.trailingWriteScheduled = true
            let wait = Self.interval - (now &- s.lastWrite)
            DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .nanoseconds(Int(wait))) {
                [weak self, weak registry] in
                guard let self else { return }
                self.state.withLock {
                    $0.trailingWriteScheduled = false
                    $0.lastWrite = MonotonicClock.nanoseconds()
                }
                if let registry { self.write(registry) }
            }
            return false
        }
        if due { write(registry) }
    }

    /// Writes the document now. Errors are not reported: publishing is a
    /// courtesy to an observer and must never fail the host's request.
    func write(_ registry: Registry) {
        writing.withLock { _ in writeNow(registry) }
    }

    private func writeNow(_ registry: Registry) {
        let document = registry.kstatDocument(sequence: sequence)
        guard let data = try? JSONEncoder().encode(document) else { return }
        let pid = getpid()
        let final = directory.appendingPathComponent("\(pid).\(sequence).json").path
        let temporary = directory.appendingPathComponent(".\(pid).\(sequence).json.tmp").path
        guard (try? FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])) != nil
        else { return }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let complete = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
        close(fd)
        guard complete, rename(temporary, final) == 0 else {
            unlink(temporary)
            return
        }
        state.withLock { $0.writtenPath = final }
    }
}

extension Registry {
    /// Every provider's counters now, as the publisher writes them.
    func kstatDocument(sequence: Int) -> KstatDocument {
        let set = providerSet
        let policy = self.policy
        let providers = set.descriptors.indices.map { i in
            let d = set.descriptors[i]
            return ProviderKstats(
                name: d.name, kind: d.kind.rawValue, active: policy.isActive(provider: d.name),
                stats: set.stats[i].snapshot, kstats: set.providers[i].kstats)
        }
        return KstatDocument(
            pid: getpid(), framework: sequence, program: ProcessInfo.processInfo.processName, platform: platform.name,
            updated: Date().timeIntervalSince1970, providers: providers)
    }
}
