import ProviderGMP
import EmulatedHardware
/// How an emulated ncp device is built and run.
public struct NCPConfiguration: Sendable, Hashable {
    /// When a job completes, relative to when the host has computed it
    /// (`.timed`: not before its modeled latency × scale since its MAU started
    /// it; each MAU runs its jobs one at a time, so queueing and ring overflow
    /// happen in real time).
    public typealias Mode = EmulatedTiming

    /// The driver instance: "ncp/<instance>", kstats "ncp<instance>.…".
    public var instance: Int
    /// Modular Arithmetic Units: one per T1 core, 8 on the chip (ncp.h NCP_N1_MAX_NMAUS).
    public var mauCount: Int
    /// Entries per MAU job ring: 512 (ncp.h NCP_MAQUEUE_NENTRIES = 1 << 9).
    public var ringSize: Int
    public var mode: Mode
    /// A MAU whose current job makes no progress for this long is taken
    /// offline and its jobs resubmitted. The real driver waits 60 s
    /// (ncp.h NCP_QTIMEOUT_SECONDS); tests use a fraction of a second. In the
    /// emulation a stalled job (an injected hang) counts wall time and a job
    /// being computed counts its host thread's CPU time, so a slow host never
    /// trips it; wall time alone does only past 10 × this (at least 10 minutes).
    public var hangTimeoutSeconds: Double
    /// Faults injected from the start (see ``NCPFaults`` to change them at run time).
    public var faults: NCPFaultSettings

    public init(
        instance: Int = 0, mauCount: Int = 8, ringSize: Int = 512, mode: Mode = .fast,
        hangTimeoutSeconds: Double = 60, faults: NCPFaultSettings = NCPFaultSettings()
    ) {
        self.instance = instance
        self.mauCount = max(1, mauCount)
        self.ringSize = max(1, ringSize)
        self.mode = mode
        self.hangTimeoutSeconds = hangTimeoutSeconds
        self.faults = faults
    }
}

/// Faults an ncp device injects (for tests and demos).
public struct NCPFaultSettings: Sendable, Hashable {
    /// Probability that a job ends in a device error (CRYPTO_DEVICE_ERROR, retried elsewhere).
    public var jobErrorRate: Double
    /// Probability that an RSA private-key result leaves the device with one bit flipped.
    public var corruptRSAPrivateRate: Double
    /// MAUs that hang on their next job.
    public var hungMAUs: Set<Int>

    public init(jobErrorRate: Double = 0, corruptRSAPrivateRate: Double = 0, hungMAUs: Set<Int> = []) {
        self.jobErrorRate = jobErrorRate
        self.corruptRSAPrivateRate = corruptRSAPrivateRate
        self.hungMAUs = hungMAUs
    }
}
