import CryptoFramework

extension Platform {
    /// A Sun Fire T2000 (UltraSPARC T1, 8 cores × 4 threads, ``ChipModel/ultraSPARCT1``):
    /// every provider has a cost model in T1 cycles; sparcfp draws full-length
    /// DH private values when a request names no length, as Solaris' softtoken.
    public static let t2000 = t2000()

    /// The T2000 with another chip value (e.g. the T1 with an FP trap penalty,
    /// the emulation what-if) or with short DH private values in sparcfp.
    /// The chip reaches every provider from here.
    public static func t2000(chip: ChipModel = .ultraSPARCT1, dhPrivateValues: DHPrivateValueLength = .fullLength) -> Platform {
        Platform(
            name: "t2000", chip: chip, softwarePriority: ["sparcfp"],
            makeProviders: {
                [SPARCFloatProvider(chip: chip, dhPrivateValues: dhPrivateValues),
                 NCPProvider(configuration: NCPConfiguration(mauCount: chip.cryptoUnits.count), chip: chip)]
            },
            makeModuleProvider: PKCS11Provider.factory)
    }
}
