import ProviderGMP
import EmulatedHardware
import CryptoFramework

/// The emulation what-if, solved: how many cycles every FP instruction would
/// have to cost on top of its published latency for a modeled time to become
/// a measured one. Modeled time is linear in the penalty, time = (cycles at
/// penalty 0 + penalty × FP instructions) / clock, so one measurement fixes it.
/// Negative when the published latencies alone already exceed the measurement.
public enum FPTrapPenalty {
    /// Cycles per FP instruction that turn `modeledSeconds` (at penalty 0, with
    /// `fpInstructions` FP instructions in it) into `targetSeconds` on `chip`'s clock;
    /// nil when there are no FP instructions to carry a penalty.
    public static func cyclesNeeded(
        targetSeconds: Double, modeledSeconds: Double, fpInstructions: Int, chip: ChipModel
    ) -> Double? {
        guard fpInstructions > 0 else { return nil }
        return (targetSeconds - modeledSeconds) * chip.clockHz / Double(fpInstructions)
    }
}
