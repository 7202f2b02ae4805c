#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The package's one clock for measuring time: CLOCK_MONOTONIC in nanoseconds.
/// The registry (policy checks, per-operation host time), the emulated devices
/// (timed mode, watchdog), IKE runs, the benchmarks, the process layer's
/// deadlines and the tests' polling all read this one, so their figures are on
/// the same time base, and no deadline moves when the wall clock is set. On
/// Linux it is a vDSO call (no system call) with the TSC clock source.
public enum MonotonicClock {
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
