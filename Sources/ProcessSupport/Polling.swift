#if canImport(Glibc)
import Glibc
#endif

/// The one way to wait for something that nobody announces (a file, a socket,
/// a counter, a log line, a policy change): check it until it holds or a
/// bound on the package's monotonic clock passes. Never a fixed sleep.
///
/// A test's bound is for a stuck test, not a speed claim: it must hold on a
/// loaded 2-core machine under ThreadSanitizer (5–15× slower), so it is five
/// minutes by default (a minute was not enough: 5,000 tasks parking beside the
/// fuzz replays took 59 s on a quiet day, 90 s on a busy one); a test that
/// passes returns as soon as its condition holds.
///
/// A check that runs late, because the machine or the cooperative pool was
/// busy, still counts: the bound is looked at only after the condition.
///
/// The async forms suspend the task between checks (in async code, always use
/// them: a blocked thread of the cooperative pool may be the one the awaited
/// work needs). The synchronous forms block the calling thread between checks:
/// only for a thread of its own (a command's main thread, a test's `Thread`);
/// the compiler refuses them in async code.
public enum Polling {
    public static let defaultTimeout = 300.0
    public static let defaultInterval = 0.01

    /// Whether `condition` held within `timeout` seconds, checked every `interval`.
    @available(*, noasync, message: "it blocks the thread: use the async form")
    @_disfavoredOverload
    public static func until(
        timeout: Double = defaultTimeout, interval: Double = defaultInterval, _ condition: () throws -> Bool
    ) rethrows -> Bool {
        try value(timeout: timeout, interval: interval) { try condition() ? () : nil } != nil
    }

    /// The async form: the waiting task sleeps, holding no thread.
    public static func until(
        timeout: Double = defaultTimeout, interval: Double = defaultInterval, _ condition: () async throws -> Bool
    ) async throws -> Bool {
        try await value(timeout: timeout, interval: interval) { try await condition() ? () : nil } != nil
    }

    /// The first non-nil `produce()` within `timeout` seconds, checked every `interval`; nil when none came.
    @available(*, noasync, message: "it blocks the thread: use the async form")
    @_disfavoredOverload
    public static func value<T>(
        timeout: Double = defaultTimeout, interval: Double = defaultInterval, _ produce: () throws -> T?
    ) rethrows -> T? {
        let deadline = Deadline(secondsFromNow: timeout)
        while true {
            if let value = try produce() { return value }
            let left = deadline.nanosecondsLeft
            if left == 0 { return nil }
            var pause = timespec(nanoseconds: min(left, Deadline.span(interval)))
            nanosleep(&pause, nil)  // interrupted early: the loop checks again
        }
    }

    /// The async form: the waiting task sleeps, holding no thread.
    public static func value<T>(
        timeout: Double = defaultTimeout, interval: Double = defaultInterval, _ produce: () async throws -> T?
    ) async throws -> T? {
        let deadline = Deadline(secondsFromNow: timeout)
        while true {
            if let value = try await produce() { return value }
            let left = deadline.nanosecondsLeft
            if left == 0 { return nil }
            try await Task.sleep(nanoseconds: min(left, Deadline.span(interval)))
        }
    }
}

extension timespec {
    init(nanoseconds: UInt64) {
        self.init(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }
}
