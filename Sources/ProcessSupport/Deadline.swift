import SystemPrimitives

/// A moment on the package's monotonic clock: a deadline that setting the
/// wall clock does not move.
struct Deadline: Sendable {
    let nanoseconds: UInt64

    init(secondsFromNow seconds: Double) {
        nanoseconds = MonotonicClock.nanoseconds() &+ Self.span(seconds)
    }

    /// `seconds` in nanoseconds, clamped: a huge or infinite bound is "never", not an overflow.
    static func span(_ seconds: Double) -> UInt64 {
        seconds.isFinite ? UInt64(min(max(seconds, 0), 1e9) * 1e9) : 1_000_000_000 * 1_000_000_000
    }

    var nanosecondsLeft: UInt64 {
        let now = MonotonicClock.nanoseconds()
        return now < nanoseconds ? nanoseconds - now : 0
    }

    var hasPassed: Bool { nanosecondsLeft == 0 }
}
