import CryptoFramework
import EmulatedHardware
import ProviderGMP
import ProviderNCP
import ProviderOpenSSL
import ProviderPKCS11
import ProviderSPARCFloat
import ProviderSodium
import Foundation

extension Platform {
    /// A Sun Fire T2000 (UltraSPARC T1, 8 cores × 4 threads, ``ChipModel/ultraSPARCT1``):
    /// every provider has a cost model in T1 cycles; sparcfp draws full-length
    /// DH private values when a request names no length, as Solaris' softtoken.
    /// Timing and FP trap penalty come from the environment (see
    /// ``t2000(chip:dhPrivateValues:laterIntegerBignum:timing:)``).
    public static let t2000 = t2000()

    /// The T2000 with another chip value (e.g. the T1 with an FP trap penalty,
    /// the emulation what-if) or with short DH private values in sparcfp.
    /// The chip reaches every provider from here. `laterIntegerBignum` adds,
    /// after sparcfp, the integer bignum Sun later shipped for sun4v
    /// (`sparcumul64`, ``SolarisBignumKernel/umul64``): not in the 2007
    /// Solaris 10, a counterfactual for what disabling ncp/0 would have cost with it.
    /// `timing`: whether the emulated providers hold each result for its modeled time.
    /// Nil reads the environment when the framework is built: `chip` the
    /// UltraSPARC T1 with ``FrameworkEnvironment/fpTrapPenalty`` cycles (how a
    /// process that only loads the PKCS#11 module runs the calibrated T2000),
    /// `timing` ``FrameworkEnvironment/timing`` (``EmulatedTiming``); a
    /// malformed value makes building the framework fail with the variable named.
    public static func t2000(
        chip: ChipModel? = nil, dhPrivateValues: DHPrivateValueLength = .fullLength, laterIntegerBignum: Bool = false,
        timing: EmulatedTiming? = nil
    ) -> Platform {
        let integer = SolarisBignumKernel.umul64.providerName
        return Platform(
            name: "t2000", chip: chip ?? .ultraSPARCT1, softwarePriority: ["sparcfp"] + (laterIntegerBignum ? [integer] : []),
            makeProviders: {
                let environment = ProcessInfo.processInfo.environment
                let chip = try chip ?? ChipModel.ultraSPARCT1.withPenaltyFromEnvironment(environment)
                let timing = try timing ?? EmulatedTiming.fromEnvironment(environment)
                return [SPARCFloatProvider(chip: chip, dhPrivateValues: dhPrivateValues, timing: timing),
                        NCPProvider(configuration: NCPConfiguration(mauCount: chip.cryptoUnits.count, mode: timing), chip: chip)]
                    + (laterIntegerBignum
                        ? [SPARCFloatProvider(chip: chip, dhPrivateValues: dhPrivateValues, kernel: .umul64, timing: timing)] : [])
            },
            makeModuleProvider: PKCS11Provider.factory)
    }
}

extension ChipModel {
    /// This chip with the trap penalty `environment` sets (unchanged when unset).
    func withPenaltyFromEnvironment(_ environment: [String: String]) throws -> ChipModel {
        let cycles = try FrameworkEnvironment.fpTrapPenalty.parsed(in: environment, expected: "a number of cycles ≥ 0") {
            Double($0).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        }
        return cycles.map(withFPTrapPenalty) ?? self
    }
}
