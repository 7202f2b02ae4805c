import CryptoFramework
import Foundation
import EmulatedHardware
import ProviderGMP
import ProviderNCP
import ProviderOpenSSL
import ProviderPKCS11
import ProviderSPARCFloat
import ProviderSodium

extension Platform {
    /// This machine: real software providers (openssl preferred, then gmp; sodium for random) and ncp/0 emulated;
    /// PKCS#11 modules that kcf.conf installs join them. Software ranks first:
    /// the emulated ncp/0 computes with GMP on these same cores, so it can only
    /// be slower than openssl; it serves what software may not (see ``DeviceRanking``).
    /// Its shared resources are its cores, one strand each, as many as this
    /// process may run on (`ikebench capacity`: one queue per core).
    public static let host: Platform = {
        var platform = Platform(
            name: "host", clockHz: nil, softwarePriority: ["openssl", "gmp", "sodium"], deviceRanking: .softwareFirst,
            makeProviders: { [OpenSSLProvider(), GMPProvider(), try SodiumProvider(), NCPProvider()] },
            makeModuleProvider: PKCS11Provider.factory)
        platform.sharedResources = .oneStrandPerCore(name: "this machine", cores: ProcessInfo.processInfo.activeProcessorCount)
        return platform
    }()
}
