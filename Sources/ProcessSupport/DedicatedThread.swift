import Foundation

/// Blocking work awaited from async code without holding a thread of the
/// cooperative pool, and without waiting for one: it runs on a thread of its
/// own. For work that must keep time however busy the pool is (a test that
/// must kill a child within its pause), or that blocks by design (a policy
/// flipper, the synchronous ``Polling`` forms).
public enum DedicatedThread {
    /// Runs `body` on a new thread called `name`; the calling task suspends until it returns.
    public static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { done in
            let thread = Thread { done.resume(with: Result { try body() }) }
            thread.name = name
            thread.start()
        }
    }
}
