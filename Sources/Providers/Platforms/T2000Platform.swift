import CryptoFramework
import Foundation

extension Platform {
    /// Clock of the Sun Fire T2000's UltraSPARC T1 as measured in 2007: 1.2 GHz
    /// (Sun Fire T2000 Server Product Overview; the 8-core T1 shipped at 1.0 and 1.2 GHz).
    public static let t2000ClockHz = 1.2e9

    /// The environment variable that sets sparcfp's FP trap penalty (cycles per
    /// FP instruction, the what-if of ``T1CostModel/fpTrapPenaltyCycles``) when
    /// no cost model is passed: how a process that only loads the PKCS#11
    /// module runs the calibrated T2000.
    public static let fpTrapPenaltyVariable = "CRYPTOFRAMEWORK_FP_TRAP_PENALTY"

    /// A Sun Fire T2000 (UltraSPARC T1, 8 cores × 4 threads): every provider
    /// has a cost model in T1 cycles at `t2000ClockHz`. Timing and trap penalty
    /// come from the environment (see ``t2000(costModel:timing:)``).
    public static let t2000 = t2000()

    /// The T2000 with sparcfp charging `costModel` (e.g. a calibrated FP trap
    /// penalty) and its emulated providers releasing results as `timing` says.
    /// Nil reads the environment when the framework is built: `costModel` the
    /// published parameters with `CRYPTOFRAMEWORK_FP_TRAP_PENALTY` cycles,
    /// `timing` `CRYPTOFRAMEWORK_TIMING` (``EmulatedTiming``); a malformed value
    /// makes building the framework fail with the variable named.
    public static func t2000(costModel: T1CostModel? = nil, timing: EmulatedTiming? = nil) -> Platform {
        let clockHz = costModel?.clockHz ?? T1CostModel.t2000.clockHz
        return Platform(
            name: "t2000", clockHz: clockHz, softwarePriority: ["sparcfp"],
            makeProviders: {
                let environment = ProcessInfo.processInfo.environment
                let model = try costModel ?? T1CostModel.fromEnvironment(environment)
                let timing = try timing ?? EmulatedTiming.fromEnvironment(environment)
                return [SPARCFloatProvider(costModel: model, timing: timing), NCPProvider(configuration: NCPConfiguration(mode: timing))]
            },
            makeModuleProvider: PKCS11Provider.factory)
    }
}

extension T1CostModel {
    /// The published parameters, with the trap penalty `environment` sets (none when unset).
    static func fromEnvironment(_ environment: [String: String]) throws -> T1CostModel {
        guard let text = environment[Platform.fpTrapPenaltyVariable], !text.isEmpty else { return .t2000 }
        guard let cycles = Double(text), cycles.isFinite, cycles >= 0 else {
            throw CryptoError(.argumentsBad, "\(Platform.fpTrapPenaltyVariable)=\(text): expected a number of cycles ≥ 0")
        }
        return T1CostModel.t2000.withTrapPenalty(cycles)
    }
}
