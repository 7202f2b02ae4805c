import ProviderGMP
import EmulatedHardware
import CryptoFramework
import Synchronization

/// The fault settings a device runs under, and what it injected.
final class NCPFaultState: Sendable {
    private let settings: Locked<NCPFaultSettings>
    /// One-shot corruptions still to inject, before the rate applies.
    private let pendingCorruptions = Atomic<Int>(0)
    let injectedJobErrors = Atomic<Int>(0)
    let injectedCorruptions = Atomic<Int>(0)

    init(_ initial: NCPFaultSettings) {
        settings = Locked(initial)
    }

    var current: NCPFaultSettings { settings.withLock { $0 } }

    func update(_ change: (inout NCPFaultSettings) -> Void) { settings.withLock { change(&$0) } }

    func addCorruptions(_ n: Int) { pendingCorruptions.wrappingAdd(n, ordering: .relaxed) }

    func clear() {
        settings.withLock { $0 = NCPFaultSettings() }
        pendingCorruptions.store(0, ordering: .relaxed)
    }

    func isHung(_ mau: Int) -> Bool { settings.withLock { $0.hungMAUs.contains(mau) } }

    /// Whether this job ends in an injected device error.
    func rollJobError() -> Bool {
        let rate = settings.withLock { $0.jobErrorRate }
        guard rate > 0, Double.random(in: 0..<1) < rate else { return false }
        injectedJobErrors.wrappingAdd(1, ordering: .relaxed)
        return true
    }

    /// Whether this RSA private result leaves the device corrupted.
    func rollCorruption() -> Bool {
        var pending = pendingCorruptions.load(ordering: .relaxed)
        while pending > 0 {
            let (exchanged, now) = pendingCorruptions.compareExchange(
                expected: pending, desired: pending - 1, ordering: .relaxed)
            if exchanged {
                injectedCorruptions.wrappingAdd(1, ordering: .relaxed)
                return true
            }
            pending = now
        }
        let rate = settings.withLock { $0.corruptRSAPrivateRate }
        guard rate > 0, Double.random(in: 0..<1) < rate else { return false }
        injectedCorruptions.wrappingAdd(1, ordering: .relaxed)
        return true
    }
}

/// Fault injection into a running ncp device (tests, demos): job errors, a
/// hung MAU, MAUs offline, corrupted RSA private results, and repair.
public struct NCPFaults: Sendable {
    let device: NCPDevice

    /// Settings in force now.
    public var settings: NCPFaultSettings { device.faultState.current }

    /// Each job ends in CRYPTO_DEVICE_ERROR with probability `rate` (0 stops it).
    public func setJobErrorRate(_ rate: Double) {
        device.faultState.update { $0.jobErrorRate = rate }
    }

    /// Each RSA private result leaves the device with one bit flipped with probability `rate`.
    public func setCorruptionRate(_ rate: Double) {
        device.faultState.update { $0.corruptRSAPrivateRate = rate }
    }

    /// The next `count` RSA private results leave the device with one bit flipped.
    public func corruptNextRSAPrivateResults(_ count: Int) {
        device.faultState.addCorruptions(count)
    }

    /// MAU `mau` stops making progress on its next job; the watchdog takes it
    /// offline after the hang timeout and resubmits its jobs.
    public func hang(mau: Int) {
        device.faultState.update { $0.hungMAUs.insert(mau) }
    }

    /// Takes MAU `mau` offline (or failed); its jobs go to the other MAUs.
    public func takeOffline(mau: Int, failed: Bool = false) {
        device.takeOutOfService(mau, as: failed ? .failed : .offline)
    }

    /// Takes every MAU offline: the provider enters the FAILED state and the
    /// framework serves its mechanisms in software.
    public func takeAllOffline(failed: Bool = true) {
        for mau in device.maus.indices { takeOffline(mau: mau, failed: failed) }
    }

    /// Clears every fault and brings every MAU back online; the framework selects the device again.
    public func repair() {
        device.repair()
    }
}
