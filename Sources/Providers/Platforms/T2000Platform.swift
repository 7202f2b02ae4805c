import CryptoFramework

extension Platform {
    /// Clock of the Sun Fire T2000's UltraSPARC T1 as measured in 2007: 1.2 GHz
    /// (Sun Fire T2000 Server Product Overview; the 8-core T1 shipped at 1.0 and 1.2 GHz).
    public static let t2000ClockHz = 1.2e9

    /// A Sun Fire T2000 (UltraSPARC T1, 8 cores × 4 threads): every provider
    /// has a cost model in T1 cycles at `t2000ClockHz`.
    public static let t2000 = t2000(costModel: .t2000)

    /// The T2000 with sparcfp charging `costModel` (e.g. a calibrated FP trap
    /// penalty) and ncp/0 built with `ncp` (e.g. timed mode for `ikebench serve --timed`).
    public static func t2000(costModel: T1CostModel, ncp: NCPConfiguration = NCPConfiguration()) -> Platform {
        Platform(
            name: "t2000", clockHz: costModel.clockHz, softwarePriority: ["sparcfp"],
            makeProviders: { [SPARCFloatProvider(costModel: costModel), NCPProvider(configuration: ncp)] },
            makeModuleProvider: PKCS11Provider.factory)
    }
}
