#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A mutex with a condition variable whose timed waits run on CLOCK_MONOTONIC:
/// for threads of their own that wait for a state change or a deadline on
/// ``MonotonicClock`` (ncp/0's MAU workers and watchdog).
///
/// Foundation's `NSCondition.wait(until:)` takes a `Date` and waits on the
/// wall clock: setting the clock back would stretch a modeled hold or the
/// watchdog's interval by as much. Both primitives are pthread ones, which
/// ThreadSanitizer sees (as ``Locked``).
public final class MonotonicCondition: @unchecked Sendable {  // the pthread objects are used only through their own calls
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        let rc = pthread_mutex_init(mutex, nil) | pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
        precondition(rc == 0, "pthread_mutex_init / pthread_cond_init failed")
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deinitialize(count: 1)
        condition.deallocate()
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    public func lock() {
        let rc = pthread_mutex_lock(mutex)
        precondition(rc == 0, "pthread_mutex_lock failed: \(rc)")
    }

    public func unlock() {
        let rc = pthread_mutex_unlock(mutex)
        precondition(rc == 0, "pthread_mutex_unlock failed: \(rc)")
    }

    /// Runs `body` holding the lock.
    public func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// With the lock held: releases it until woken (or spuriously), then holds it again.
    public func wait() {
        pthread_cond_wait(condition, mutex)
    }

    /// With the lock held: as ``wait()``, or until ``MonotonicClock`` reaches
    /// `deadline` (nanoseconds); false when the deadline passed.
    @discardableResult
    public func wait(untilNanoseconds deadline: UInt64) -> Bool {
        var when = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        return pthread_cond_timedwait(condition, mutex, &when) == 0
    }

    /// Wakes every waiter.
    public func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
