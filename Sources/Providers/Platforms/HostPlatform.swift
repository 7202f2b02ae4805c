import CryptoFramework

extension Platform {
    /// This machine: real software providers (openssl preferred, then gmp; sodium for random) and ncp/0 emulated;
    /// PKCS#11 modules that kcf.conf installs join them.
    public static let host = Platform(
        name: "host", clockHz: nil, softwarePriority: ["openssl", "gmp", "sodium"],
        makeProviders: { [OpenSSLProvider(), GMPProvider(), try SodiumProvider(), NCPProvider()] },
        makeModuleProvider: PKCS11Provider.factory)
}
