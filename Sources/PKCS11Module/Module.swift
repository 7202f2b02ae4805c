internal import CPKCS11
import CryptoFramework
import Providers
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The module's life in a host process: C_Initialize builds the framework
/// (platform from ``FrameworkEnvironment/platform``, policy found as everywhere
/// else), C_Finalize drops it (the ncp worker threads stop with it). After
/// fork() the child sees the module uninitialized (its state was made under
/// another fork count, ``forkCount``) and may
/// C_Initialize again; what the parent's state held is abandoned, not
/// released, because its threads and locks do not exist in the child.
/// fork() while another thread is inside the module is safe: pthread_atfork
/// handlers take the module's locks before the fork (in one fixed order,
/// the order `initialize` nests them) and release them on both sides, so the
/// child never inherits a lock held by a thread that does not exist there.
package final class Module: Sendable {
    package static let shared = Module()

    private let state = Locked<ModuleState?>(nil)
    /// States left behind by fork(): never released (see above).
    private let abandoned = Locked<[ModuleState]>([])

    /// The fork() calls this process descends through since the module was
    /// loaded, counted by the atfork child handler: a state made under another
    /// count is a parent's. Every C_ function checks it, where a getpid()
    /// system call per check cost 0.6 µs of a C_SignInit + C_Sign pair
    /// (docs/performance.md). A child made without the atfork handlers (a raw
    /// clone) would also inherit the module's locks as the parent held them,
    /// which the handlers exist to prevent: the module already relies on them.
    private static let forks = Atomic<Int>(0)
    static var forkCount: Int { forks.load(ordering: .relaxed) }

    private init() {
        // Once per process (`shared` is initialized once). Handlers a dlclose'd
        // module registered are removed by glibc (registered against its DSO).
        pthread_atfork(
            { Module.shared.lockBeforeFork() },
            { Module.shared.unlockAfterFork() },
            { Module.shared.childAfterFork() })
    }

    /// In the child (its only thread, before fork() returns there): one more fork, then the locks.
    private func childAfterFork() {
        Self.forks.add(1, ordering: .relaxed)
        unlockAfterFork()
    }

    /// Whether `state` was made in this process, not inherited across fork().
    private static func madeHere(_ state: ModuleState) -> Bool { state.forkCount == forkCount }

    private func lockBeforeFork() {
        state.lockBeforeFork()
        abandoned.lockBeforeFork()
    }

    /// In the child the state stays behind as the parent's: its fork count
    /// is not the child's, so the module answers as uninitialized.
    private func unlockAfterFork() {
        abandoned.unlockAfterFork()
        state.unlockAfterFork()
    }

    /// Runs `body` on the live state; CKR_CRYPTOKI_NOT_INITIALIZED when there is none.
    func withState<R>(_ body: (inout ModuleState) throws(CryptokiError) -> R) throws(CryptokiError) -> R {
        try state.withLock { (current: inout ModuleState?) throws(CryptokiError) -> R in
            guard current != nil, Self.madeHere(current!) else { throw .notInitialized }
            return try body(&current!)
        }
    }

    /// CKR_CRYPTOKI_NOT_INITIALIZED unless C_Initialize ran in this process:
    /// checked before any argument, as PKCS#11 v2.40 §5.4 answers an
    /// uninitialized library.
    package func requireInitialized() throws(CryptokiError) {
        try withState { _ throws(CryptokiError) in }
    }

    package func initialize(_ arguments: UnsafeMutableRawPointer?) throws(CryptokiError) {
        var mayCreateThreads = true
        if let arguments {
            let args = arguments.assumingMemoryBound(to: CK_C_INITIALIZE_ARGS.self).pointee
            guard args.pReserved == nil else { throw .argumentsBad }
            let callbacks = [args.CreateMutex != nil, args.DestroyMutex != nil, args.LockMutex != nil, args.UnlockMutex != nil]
            guard callbacks.allSatisfy({ $0 }) || callbacks.allSatisfy({ !$0 }) else { throw .argumentsBad }
            // The module locks with pthread mutexes only; a caller that requires its own
            // callbacks is told so (strongSwan then retries with CKF_OS_LOCKING_OK).
            if callbacks[0] && args.flags & CK_FLAGS(CKF_OS_LOCKING_OK) == 0 { throw CryptokiError(CKR_CANT_LOCK) }
            mayCreateThreads = args.flags & CK_FLAGS(CKF_LIBRARY_CANT_CREATE_OS_THREADS) == 0
        }
        try state.withLock { (current: inout ModuleState?) throws(CryptokiError) in
            if let live = current {
                guard !Self.madeHere(live) else { throw CryptokiError(CKR_CRYPTOKI_ALREADY_INITIALIZED) }
                abandoned.withLock { $0.append(live) }
                current = nil
            }
            current = try Self.makeState(mayCreateThreads: mayCreateThreads)
        }
    }

    package func finalize(_ reserved: UnsafeMutableRawPointer?) throws(CryptokiError) {
        guard reserved == nil else { throw .argumentsBad }
        let finished = try state.withLock { (current: inout ModuleState?) throws(CryptokiError) -> ModuleState in
            guard let live = current, Self.madeHere(live) else { throw .notInitialized }
            current = nil
            return live
        }
        finished.trace.close()
        // `finished` goes out of scope here: the framework and its providers are released
        // outside the lock (ncp's deinit stops its worker threads).
    }

    private static func makeState(mayCreateThreads: Bool) throws(CryptokiError) -> ModuleState {
        let environment = { (name: String) -> String? in getenv(name).map { String(cString: $0) } }
        let trace = Trace(environment: environment)
        let name = FrameworkEnvironment.platform.value(lookup: environment) ?? Platform.host.name
        guard let base = Platform.named(name) else {
            trace.note("\(FrameworkEnvironment.platform.name)=\(name) is not a platform (known: \(Platform.all.map(\.name).joined(separator: ", ")))")
            trace.close()
            throw .functionFailed
        }
        let platform = mayCreateThreads ? base : Self.withoutThreads(base)
        do {
            // The framework's own warnings go to the trace, never to the host's stderr.
            let framework = try CryptoFramework(platform: platform, policy: .default, warn: { trace.note($0) })
            let keystore = Keystore(directory: Keystore.defaultDirectory())
            var state = ModuleState(framework: framework, keystore: keystore, trace: trace, forkCount: Module.forkCount)
            state.syncTokenObjects()
            trace.note("initialized: platform \(platform.name), keystore \(keystore.directory)")
            return state
        } catch {
            trace.note("cannot start the framework: \(error)")
            trace.close()
            throw .functionFailed
        }
    }

    /// The platform minus its emulated hardware, whose devices compute on
    /// worker threads: for a caller that passed CKF_LIBRARY_CANT_CREATE_OS_THREADS.
    private static func withoutThreads(_ platform: Platform) -> Platform {
        let make: @Sendable () throws -> [any CryptoProvider] = { try platform.makeProviders().filter { $0.descriptor.kind != .hardware } }
        if let chip = platform.chip {
            return Platform(
                name: platform.name, chip: chip, softwarePriority: platform.softwarePriority,
                makeProviders: make, makeModuleProvider: platform.makeModuleProvider)
        }
        return Platform(
            name: platform.name, clockHz: platform.clockHz, softwarePriority: platform.softwarePriority,
            makeProviders: make, makeModuleProvider: platform.makeModuleProvider)
    }
}
