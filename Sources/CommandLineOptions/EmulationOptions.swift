import ArgumentParser
import CryptoFramework
import Providers

/// How the emulated T2000 behaves: `--timing` and the `--fp-trap-penalty`
/// what-if. Either one unset is left to its environment variable
/// (``FrameworkEnvironment/timing``, ``FrameworkEnvironment/fpTrapPenalty``),
/// as in any process that builds a t2000.
public struct EmulationOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "When the emulated t2000 providers release a result: fast (at once; the modeled T1 time is only reported), timed (once the modeled time has passed on the wall clock, so a client waits as a T2000's client waited) or timed:SCALE (SCALE times the modeled time). Default: $\(FrameworkEnvironment.timing.name), else fast (retell: timed).",
            valueName: "mode"))
    public var timing: EmulatedTiming?

    @Option(
        name: .customLong("fp-trap-penalty"),
        help: ArgumentHelp(
            "What-if: cycles added to every sparcfp FP instruction on t2000, as if the FPU were emulated in a trap handler (the 2007 guess, which the T1 documentation contradicts). Default: $\(FrameworkEnvironment.fpTrapPenalty.name), else 0, the published latencies.",
            valueName: "cycles"))
    public var fpTrapPenalty: Double?

    public init() {}

    public func validate() throws {
        if let fpTrapPenalty, !(fpTrapPenalty >= 0 && fpTrapPenalty < 1_000_000) {
            throw ValidationError("--fp-trap-penalty must be in [0, 1000000) cycles")
        }
    }

    /// Whether --timing asks for results held for their modeled time.
    public var isTimed: Bool {
        if case .timed? = timing { true } else { false }
    }

    /// The T1 with --fp-trap-penalty, or nil to leave it to the environment.
    public var chip: ChipModel? {
        fpTrapPenalty.map { ChipModel.ultraSPARCT1.withFPTrapPenalty($0) }
    }

    /// The platform called `name` built with these options (they concern the
    /// modeled t2000 and t5220; the host has no modeled time).
    public func platform(named name: String) -> Platform? {
        switch name {
        case Platform.t2000.name: .t2000(chip: chip, timing: timing)
        case Platform.t5220.name: .t5220(chip: fpTrapPenalty.map { ChipModel.ultraSPARCT2.withFPTrapPenalty($0) }, timing: timing)
        default: Platform.named(name)
        }
    }
}
