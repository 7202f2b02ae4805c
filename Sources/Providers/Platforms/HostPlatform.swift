import CryptoFramework

extension Platform {
    /// This machine: real software providers.
    public static let host = Platform(
        name: "host", clockHz: nil, softwarePriority: ["openssl", "gmp", "sodium"],
        makeProviders: { [GMPProvider()] })
}
