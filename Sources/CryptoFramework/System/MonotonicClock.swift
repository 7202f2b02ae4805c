#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The package's one clock for measuring time: CLOCK_MONOTONIC in nanoseconds.
/// The registry (policy checks, per-operation host time), the emulated devices
/// (timed mode, watchdog), IKE runs and the benchmarks all read this one, so
/// their figures are on the same time base. On Linux it is a vDSO call
/// (no system call) with the TSC clock source.
public enum MonotonicClock {
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

/// Wall-clock nanoseconds, only for comparing with file modification times.
func realtimeNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
}
