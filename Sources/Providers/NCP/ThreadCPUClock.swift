#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The CPU time one thread has used (its POSIX per-thread CPU clock), which
/// another thread may read while the first one lives. Time the host does not
/// give the thread — preempted, waiting for a core, starved by a loaded
/// machine, stopped — is not in it, nor is time the thread spends blocked.
struct ThreadCPUClock {
    private let id: clockid_t

    /// The calling thread's clock, or nil where the system has none for it.
    static func current() -> ThreadCPUClock? {
        var id = clockid_t()
        guard pthread_getcpuclockid(pthread_self(), &id) == 0 else { return nil }
        return ThreadCPUClock(id: id)
    }

    /// Nanoseconds of CPU the thread has used, or nil if the clock cannot be
    /// read. Only while the thread lives: its clock id dies with it.
    func nanoseconds() -> UInt64? {
        var ts = timespec()
        guard clock_gettime(id, &ts) == 0 else { return nil }
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
