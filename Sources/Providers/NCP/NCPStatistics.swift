import ProviderGMP
import EmulatedHardware
import CryptoFramework

/// The ncp device's counters at one moment (its kstats, typed).
public struct NCPStatistics: Sendable, Hashable {
    /// One MAU's counters (ncp kstats mau<N>submit, qfull, qbusy, nintr, errors, state).
    public struct MAU: Sendable, Hashable {
        public let id: Int
        public let state: MAUState
        /// Jobs accepted onto its ring.
        public let submit: Int
        /// Submissions that found its ring full.
        public let qfull: Int
        /// Submissions that had to queue behind a job already running or waiting.
        public let qbusy: Int
        /// Completion interrupts (jobs it answered).
        public let nintr: Int
        /// Job errors and hangs.
        public let errors: Int
        /// Jobs queued or running now.
        public let occupancy: Int
    }

    /// "online" (some MAU online), "offline" (none, taken offline), "fail" (none, a unit failed).
    public let status: String
    public let maus: [MAU]
    /// Completed jobs per algorithm.
    public let algorithms: [NCPAlgorithm: Int]
    public let injectedJobErrors: Int
    public let injectedCorruptions: Int
    public let hangsDetected: Int
    /// Jobs moved from a MAU taken out of service to another.
    public let resubmitted: Int

    public var mausOnline: Int { maus.filter { $0.state == .online }.count }

    init(device: NCPDevice) {
        maus = device.maus.map { m in
            MAU(id: m.id, state: m.currentState, submit: m.submitted.load(ordering: .relaxed),
                qfull: m.queueFull.load(ordering: .relaxed), qbusy: m.queueBusy.load(ordering: .relaxed),
                nintr: m.interrupts.load(ordering: .relaxed), errors: m.errors.load(ordering: .relaxed),
                occupancy: m.occupancy)
        }
        if maus.contains(where: { $0.state == .online }) {
            status = "online"
        } else if maus.contains(where: { $0.state == .failed }) {
            status = "fail"
        } else {
            status = "offline"
        }
        algorithms = Dictionary(uniqueKeysWithValues: device.algorithms.map { ($0, device.algorithmCounters.value($0)) })
        injectedJobErrors = device.faultState.injectedJobErrors.load(ordering: .relaxed)
        injectedCorruptions = device.faultState.injectedCorruptions.load(ordering: .relaxed)
        hangsDetected = device.hangsDetected.load(ordering: .relaxed)
        resubmitted = device.resubmitted.load(ordering: .relaxed)
        kstatModule = device.kstatModule
    }

    private let kstatModule: String

    /// The same counters as kstats: "ncp0" (device status), "ncp0.mau<N>", "ncp0.algorithms".
    public var kstats: [Kstat] {
        var out = [Kstat(
            name: kstatModule,
            counters: [
                "mausonline": mausOnline, "injectedjoberrors": injectedJobErrors,
                "injectedcorruptions": injectedCorruptions, "hangsdetected": hangsDetected,
                "resubmitted": resubmitted,
            ],
            state: status)]
        for m in maus {
            out.append(Kstat(
                name: "\(kstatModule).mau\(m.id)",
                counters: ["submit": m.submit, "qfull": m.qfull, "qbusy": m.qbusy, "nintr": m.nintr, "errors": m.errors],
                state: m.state.rawValue))
        }
        out.append(Kstat(
            name: "\(kstatModule).algorithms",
            counters: Dictionary(uniqueKeysWithValues: algorithms.map { ($0.key.rawValue, $0.value) })))
        return out
    }
}
