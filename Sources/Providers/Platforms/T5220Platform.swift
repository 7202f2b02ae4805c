import CryptoFramework
import EmulatedHardware
import ProviderNCP
import ProviderNiagara2
import ProviderOpenSSL
import ProviderPKCS11
import ProviderSPARCFloat
import ProviderSodium
import Foundation

extension Platform {
    /// A Sun SPARC Enterprise T5220 (UltraSPARC T2, 8 cores × 8 strands,
    /// 1.4 GHz, ``ChipModel/ultraSPARCT2``), as Solaris 10 ran on it in 2007:
    /// `sparcfp` (softtoken's floating-point bignum, now on the T2's per-core
    /// FGU: Solaris 10's softtoken was built with -DUSE_FLOATING_POINT on every
    /// sparcv9 machine, sun4v included, and the integer sun4v build came in
    /// 2009 — docs/t2.md), `ncp/0` (8 MAUs, with EC), `n2cp/0` (8 cipher/hash
    /// units) and `n2rng/0`. Hardware first, as KCF. Timing and FP trap penalty
    /// come from the environment as on t2000.
    public static let t5220 = t5220()

    /// The T5220 with another chip value or DH private-value default, fast or timed
    /// (nil reads the environment when the framework is built, as ``t2000(chip:dhPrivateValues:laterIntegerBignum:timing:)``).
    public static func t5220(
        chip: ChipModel? = nil, dhPrivateValues: DHPrivateValueLength = .fullLength, timing: EmulatedTiming? = nil
    ) -> Platform {
        Platform(
            name: "t5220", chip: chip ?? .ultraSPARCT2, softwarePriority: ["sparcfp"],
            makeProviders: {
                let environment = ProcessInfo.processInfo.environment
                let chip = try chip ?? ChipModel.ultraSPARCT2.withPenaltyFromEnvironment(environment)
                let timing = try timing ?? EmulatedTiming.fromEnvironment(environment)
                let units = chip.cryptoUnits
                var providers: [any CryptoProvider] = [
                    SPARCFloatProvider(chip: chip, dhPrivateValues: dhPrivateValues, timing: timing),
                    NCPProvider(configuration: NCPConfiguration(mauCount: units.count, ringSize: units.jobQueueEntries, mode: timing),
                                chip: chip),
                ]
                if let n2cp = N2CPProvider(chip: chip, mode: timing, libcrypto: OpenSSLProvider()) { providers.append(n2cp) }
                if let sodium = try? SodiumProvider(), let n2rng = N2RNGProvider(chip: chip, source: sodium) {
                    providers.append(n2rng)
                }
                return providers
            },
            makeModuleProvider: PKCS11Provider.factory)
    }
}
