#if canImport(Glibc)
import Glibc
#endif

/// Bounded polling for tests that wait: check a condition until it holds or a
/// generous bound passes, never a fixed sleep. The bound is for a stuck test,
/// not a speed claim: it must hold on a loaded 2-core machine under
/// ThreadSanitizer (5–15× slower), so it is a minute by default; a test that
/// passes returns as soon as its condition holds.
public enum Polling {
    public static let defaultTimeout = 60.0

    /// Whether `condition` held within `timeout` seconds, checked every `interval`.
    public static func until(
        timeout: Double = defaultTimeout, interval: Double = 0.01, _ condition: () throws -> Bool
    ) rethrows -> Bool {
        let deadline = now() + timeout
        while true {
            if try condition() { return true }
            if now() >= deadline { return false }
            usleep(UInt32(interval * 1e6))
        }
    }

    /// The async form: the waiting task sleeps, holding no thread.
    public static func until(
        timeout: Double = defaultTimeout, interval: Double = 0.01, _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = now() + timeout
        while true {
            if try await condition() { return true }
            if now() >= deadline { return false }
            try await Task.sleep(nanoseconds: UInt64(interval * 1e9))
        }
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
