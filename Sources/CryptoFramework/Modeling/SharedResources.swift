/// The resources concurrent requests contend for on one platform, as data:
/// the strands that run a client's own work, and the units that several
/// strands share (an FPU, a crypto unit, a stream unit). A platform supplies
/// it (``Platform/sharedResources``); `ikebench capacity` queues clients on
/// it (docs/DESIGN.md "Capacity"). A new chip is a new value here, not code
/// in the model.
public struct SharedResources: Sendable, Hashable {
    /// What a unit does, and so which part of a request's work it serves
    /// (the field of ``ResourceCycles`` with that name).
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// A floating-point unit: a strand issuing FP instructions holds it and its strand.
        case floatingPoint = "fpu"
        /// A modular-arithmetic unit (the MAU behind ncp): a job holds it while
        /// the submitting thread sleeps, its strand free for others.
        case cryptoUnit = "mau"
        /// A bulk cipher and hash unit (the T2's control word queue behind
        /// n2cp): a job holds it while the submitter's strand is free.
        case streamUnit = "cwq"

        /// Whether the submitting thread keeps its strand while the unit works.
        public var holdsStrand: Bool { self == .floatingPoint }
    }

    /// Units of one kind, spread evenly over the cores: unit `i` serves cores
    /// `i × cores / count ..< (i + 1) × cores / count` (one unit for the
    /// chip serves every core; one per core serves its own).
    public struct Units: Sendable, Hashable {
        public var kind: Kind
        public var count: Int

        public init(_ kind: Kind, count: Int) {
            self.kind = kind
            self.count = count
        }
    }

    /// For reports: "UltraSPARC T1", "this machine".
    public var name: String
    public var cores: Int
    /// Hardware strands (threads the dispatcher can run at once) per core.
    public var strandsPerCore: Int
    /// The shared units; a kind not listed is not a queue (its work runs on the strand).
    public var units: [Units]

    public init(name: String, cores: Int, strandsPerCore: Int, units: [Units]) {
        self.name = name
        self.cores = max(1, cores)
        self.strandsPerCore = max(1, strandsPerCore)
        self.units = units.filter { $0.count > 0 }
    }

    /// A modeled chip's: its cores × strands, its FPUs
    /// (``ChipModel/floatingPointUnits``), its crypto units
    /// (``ChipModel/CryptoUnits/count``) and its stream units, if any
    /// (``ChipModel/StreamUnits/count``).
    public init(chip: ChipModel) {
        self.init(name: chip.name, cores: chip.cores, strandsPerCore: chip.strandsPerCore,
                  units: [Units(.floatingPoint, count: chip.floatingPointUnits), Units(.cryptoUnit, count: chip.cryptoUnits.count),
                          Units(.streamUnit, count: chip.streamUnits?.count ?? 0)])
    }

    /// A machine whose only shared resource is its cores: one strand each (the host).
    public static func oneStrandPerCore(name: String, cores: Int) -> SharedResources {
        SharedResources(name: name, cores: cores, strandsPerCore: 1, units: [])
    }

    /// This value with `units` added or replacing those of its kind (a platform's stream units).
    public func with(_ added: Units) -> SharedResources {
        var copy = self
        copy.units = units.filter { $0.kind != added.kind } + (added.count > 0 ? [added] : [])
        return copy
    }

    public var strands: Int { cores * strandsPerCore }

    /// How many units of `kind` there are (0: not a queue here).
    public func count(of kind: Kind) -> Int { units.first { $0.kind == kind }?.count ?? 0 }

    /// The unit of `kind` that serves `core`, or nil when there is none.
    public func unit(_ kind: Kind, servingCore core: Int) -> Int? {
        let n = count(of: kind)
        guard n > 0 else { return nil }
        return min(n - 1, core * n / cores)
    }

    /// "8 cores × 4 strands, 1 fpu shared by 8 cores, 8 mau (1 core each)".
    public var summary: String {
        let parts = units.map { u in
            let per = max(1, cores / u.count)
            return "\(u.count) \(u.kind.rawValue) (" + (u.count == 1 ? "one for all \(cores) cores" : "\(per) core\(per == 1 ? "" : "s") each") + ")"
        }
        return (["\(cores) cores × \(strandsPerCore) strand\(strandsPerCore == 1 ? "" : "s")"] + parts).joined(separator: ", ")
    }
}

/// Where a request's modeled cycles were spent, by the shared unit they
/// occupied; every cycle not listed here ran on the requesting strand alone.
/// Emulated providers record it beside their modeled time (sparcfp its FP
/// instructions, ncp/0 its MAU jobs), so a capacity model splits a request
/// from the same costs that make its modeled time.
public struct ResourceCycles: WorkTally, Hashable {
    /// Cycles of FP instructions, penalty included (the strand is held too).
    public var floatingPoint: Double = 0
    /// Cycles a crypto unit (MAU) was busy.
    public var cryptoUnit: Double = 0
    /// Cycles a stream unit was busy.
    public var streamUnit: Double = 0
    /// Jobs submitted to crypto or stream units.
    public var unitJobs = 0

    public init() {}

    public init(floatingPoint: Double = 0, cryptoUnit: Double = 0, streamUnit: Double = 0, unitJobs: Int = 0) {
        self.floatingPoint = floatingPoint
        self.cryptoUnit = cryptoUnit
        self.streamUnit = streamUnit
        self.unitJobs = unitJobs
    }

    /// Cycles on `kind`.
    public subscript(kind: SharedResources.Kind) -> Double {
        switch kind {
        case .floatingPoint: floatingPoint
        case .cryptoUnit: cryptoUnit
        case .streamUnit: streamUnit
        }
    }

    public static func + (a: ResourceCycles, b: ResourceCycles) -> ResourceCycles {
        ResourceCycles(floatingPoint: a.floatingPoint + b.floatingPoint, cryptoUnit: a.cryptoUnit + b.cryptoUnit,
                       streamUnit: a.streamUnit + b.streamUnit, unitJobs: a.unitJobs + b.unitJobs)
    }
}
