import CryptoFramework

extension Platform {
    /// A Sun Fire T2000 (UltraSPARC T1, 8 cores × 4 threads, ``ChipModel/ultraSPARCT1``):
    /// every provider has a cost model in T1 cycles; sparcfp draws full-length
    /// DH private values when a request names no length, as Solaris' softtoken.
    public static let t2000 = t2000()

    /// The T2000 with another chip value (e.g. the T1 with an FP trap penalty,
    /// the emulation what-if) or with short DH private values in sparcfp.
    /// The chip reaches every provider from here. `laterIntegerBignum` adds,
    /// after sparcfp, the integer bignum Sun later shipped for sun4v
    /// (`sparcumul64`, ``SolarisBignumKernel/umul64``): not in the 2007
    /// Solaris 10, a counterfactual for what disabling ncp/0 would have cost with it.
    public static func t2000(
        chip: ChipModel = .ultraSPARCT1, dhPrivateValues: DHPrivateValueLength = .fullLength, laterIntegerBignum: Bool = false
    ) -> Platform {
        let integer = SolarisBignumKernel.umul64.providerName
        return Platform(
            name: "t2000", chip: chip, softwarePriority: ["sparcfp"] + (laterIntegerBignum ? [integer] : []),
            makeProviders: {
                [SPARCFloatProvider(chip: chip, dhPrivateValues: dhPrivateValues),
                 NCPProvider(configuration: NCPConfiguration(mauCount: chip.cryptoUnits.count), chip: chip)]
                    + (laterIntegerBignum ? [SPARCFloatProvider(chip: chip, dhPrivateValues: dhPrivateValues, kernel: .umul64)] : [])
            },
            makeModuleProvider: PKCS11Provider.factory)
    }
}
