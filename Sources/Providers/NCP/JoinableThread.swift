import ProviderGMP
import EmulatedHardware
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A POSIX thread that can be joined, which Foundation's `Thread` cannot.
/// The ncp device joins its workers when it shuts down, so a host process
/// that unloads the framework (a PKCS#11 client's dlclose after C_Finalize)
/// never has a thread still running code from an unmapped library.
final class JoinableThread: @unchecked Sendable {  // `thread` is written once in init, read by join()
    private var thread = pthread_t()
    private var joined = false

    /// Starts `body` on a new thread named `name` (Linux keeps 15 bytes of it).
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        final class Start {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let start = Unmanaged.passRetained(Start {
            Thread.current.name = name  // pthread_setname_np, which Glibc's module map does not export
            body()
        }).toOpaque()
        let rc = pthread_create(&thread, nil, { argument in
            Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, start)
        precondition(rc == 0, "pthread_create failed: \(rc)")  // only for lack of resources at device start-up
    }

    /// Waits for the thread to finish; a no-op on the thread itself or a second time.
    func join() {
        guard !joined, pthread_equal(thread, pthread_self()) == 0 else { return }
        joined = true
        pthread_join(thread, nil)
    }
}
