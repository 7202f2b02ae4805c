#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// State guarded by a pthread mutex: the one lock type of the package.
///
/// `Synchronization.Mutex` is built on futexes on Linux, which ThreadSanitizer
/// cannot see: every access it guards looks like a race, and real races drown
/// among the false ones. A pthread mutex is intercepted by TSan (as swift-nio's
/// `NIOLock` relies on), so a report under `make sanitize` means a real race.
/// Uncontended, it costs about what the futex does (one atomic each way).
///
/// The call shape is Mutex's (`withLock { state in … }`), so the two are
/// interchangeable at every use.
public final class Locked<State>: @unchecked Sendable {  // every access to `state` happens between pthread_mutex_lock and _unlock
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var state: State

    public init(_ initial: State) {
        state = initial
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        // Default attributes: a fast, non-recursive mutex. Init can fail only
        // for lack of resources, which a default mutex does not need on glibc.
        let rc = pthread_mutex_init(mutex, nil)
        precondition(rc == 0, "pthread_mutex_init failed: \(rc)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the state.
    @inlinable
    public func withLock<R, E: Error>(_ body: (inout State) throws(E) -> R) throws(E) -> R {
        lock()
        defer { unlock() }
        return try body(&stateStorage)
    }

    @usableFromInline
    var stateStorage: State {
        _read { yield state }
        _modify { yield &state }
    }

    @usableFromInline
    func lock() {
        let rc = pthread_mutex_lock(mutex)
        precondition(rc == 0, "pthread_mutex_lock failed: \(rc)")
    }

    @usableFromInline
    func unlock() {
        let rc = pthread_mutex_unlock(mutex)
        precondition(rc == 0, "pthread_mutex_unlock failed: \(rc)")
    }
}

extension Locked {
    /// For a pthread_atfork `prepare` handler only: holding the lock across
    /// fork() means no other thread of the parent holds it in the child.
    public func lockBeforeFork() { lock() }

    /// For pthread_atfork `parent` and `child` handlers only: releases the
    /// lock `lockBeforeFork` took (in the child, the forking thread owns it).
    public func unlockAfterFork() { unlock() }
}

extension Locked where State == Void {
    public convenience init() { self.init(()) }

    /// A lock that guards no state (it serialises work): `body` gets a local
    /// `()`, so the stored `()` — a field without storage — is never accessed.
    /// ThreadSanitizer placed the inout access to that field at the object's
    /// own address and reported it against threads reading the object's header.
    @inlinable
    public func withLock<R, E: Error>(_ body: (inout Void) throws(E) -> R) throws(E) -> R {
        lock()
        defer { unlock() }
        var nothing: Void = ()
        return try body(&nothing)
    }
}
