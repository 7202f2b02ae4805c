import CryptoFramework
import IKEProtocol

/// One step of a negotiation as the capacity model runs it: what it holds and for how long.
public enum CapacityStep: Sendable, Hashable {
    /// Work on a strand: `strandSeconds` on the strand alone and
    /// `floatingPointSeconds` holding the core's FPU as well (interleaved).
    case compute(strandSeconds: Double, floatingPointSeconds: Double)
    /// A job on a unit of `kind` (the MAU behind ncp, a stream unit); the
    /// submitting thread sleeps, its strand free for others.
    case unit(SharedResources.Kind, seconds: Double)
    /// Time that holds nothing (the network round trip).
    case delay(Double)

    /// The step's duration when nothing else competes.
    public var seconds: Double {
        switch self {
        case .compute(let s, let f): s + f
        case .unit(_, let s): s
        case .delay(let d): d
        }
    }
}

/// The responder's side of one negotiation as steps, made from the modeled
/// costs of a real negotiation's operations (docs/DESIGN.md "Capacity"):
/// each operation's modeled seconds split by the ``ResourceCycles`` its
/// provider recorded — FP cycles hold the FPU, crypto-unit cycles a MAU (in
/// as many jobs as it submitted, the host work before, between and after
/// them), the rest the strand. On a platform without a model (the host) each
/// operation is its measured host time on a strand.
public struct NegotiationProgram: Sendable, Hashable {
    public var steps: [CapacityStep]

    public init(steps: [CapacityStep]) {
        self.steps = Self.merged(steps)
    }

    /// The negotiation's time on an idle machine: its operations' modeled
    /// seconds (host seconds on the host), plus round trips and overhead.
    public var seconds: Double { steps.reduce(0) { $0 + $1.seconds } }

    /// Seconds of each kind of work: strand alone, FPU, each unit kind.
    public var floatingPointSeconds: Double {
        steps.reduce(0) { if case .compute(_, let f) = $1 { $0 + f } else { $0 } }
    }

    public func unitSeconds(_ kind: SharedResources.Kind) -> Double {
        steps.reduce(0) { if case .unit(kind, let s) = $1 { $0 + s } else { $0 } }
    }

    public var strandSeconds: Double {
        steps.reduce(0) { if case .compute(let s, let f) = $1 { $0 + s + f } else { $0 } }
    }

    /// The program of `outcome`'s operations on `platform`, whose
    /// `resources` say which units are queues (work for a unit kind the
    /// platform lacks runs on the strand). `overheadSeconds`: responder work
    /// outside the cryptography (in.iked, the kernel), on the strand, at the
    /// start; `rttSeconds`: each of `roundTrips` round trips inside the
    /// responder's interval (Main Mode's two, IKEv2's one), as delays.
    public init(outcome: NegotiationOutcome, platform: Platform, resources: SharedResources,
                overheadSeconds: Double = 0, rttSeconds: Double = 0, roundTrips: Int = 2) {
        var steps: [CapacityStep] = []
        if overheadSeconds > 0 { steps.append(.compute(strandSeconds: overheadSeconds, floatingPointSeconds: 0)) }
        for r in outcome.records {
            steps += Self.steps(of: r, clockHz: platform.clockHz, resources: resources)
        }
        if rttSeconds > 0 { steps += Array(repeating: .delay(rttSeconds), count: max(0, roundTrips)) }
        self.init(steps: steps)
    }

    /// One operation's steps.
    static func steps(of r: IKEOperationRecord, clockHz: Double?, resources: SharedResources) -> [CapacityStep] {
        guard let clockHz, let modeled = r.modeledSeconds else {
            return [.compute(strandSeconds: Double(r.hostNanoseconds) / 1e9, floatingPointSeconds: 0)]
        }
        let cycles = r.work.tally(ResourceCycles.self) ?? ResourceCycles()
        let fp = resources.count(of: .floatingPoint) > 0 ? min(modeled, cycles.floatingPoint / clockHz) : 0
        var unitParts: [(SharedResources.Kind, Double)] = []
        for kind in [SharedResources.Kind.cryptoUnit, .streamUnit] where resources.count(of: kind) > 0 && cycles[kind] > 0 {
            unitParts.append((kind, cycles[kind] / clockHz))
        }
        let unitTotal = unitParts.reduce(0) { $0 + $1.1 }
        let strand = max(0, modeled - fp - unitTotal)
        guard !unitParts.isEmpty else { return [.compute(strandSeconds: strand, floatingPointSeconds: fp)] }
        // Jobs alternate with host work: host, job, host, …, job, host.
        let jobs = max(unitParts.count, cycles.unitJobs)
        var pieces: [CapacityStep] = []
        for (kind, seconds) in unitParts {
            let share = max(1, Int((Double(jobs) * seconds / unitTotal).rounded()))
            pieces += Array(repeating: .unit(kind, seconds: seconds / Double(share)), count: share)
        }
        let host = CapacityStep.compute(strandSeconds: strand / Double(pieces.count + 1), floatingPointSeconds: fp / Double(pieces.count + 1))
        var steps = [host]
        for p in pieces { steps += [p, host] }
        return steps
    }

    /// Adjacent compute steps joined (a thread keeps its strand from one operation to the next); empty ones dropped.
    static func merged(_ steps: [CapacityStep]) -> [CapacityStep] {
        var out: [CapacityStep] = []
        for step in steps where step.seconds > 0 {
            if case .compute(let s, let f) = step, case .compute(let s0, let f0)? = out.last {
                out[out.count - 1] = .compute(strandSeconds: s0 + s, floatingPointSeconds: f0 + f)
            } else {
                out.append(step)
            }
        }
        return out
    }
}
