import CryptoFramework
import EmulatedHardware
import ProviderOpenSSL
import ProviderSPARCFloat
import ProviderSodium

extension SPARCFloatProvider {
    /// sparcfp with this host's libcrypto for its symmetric mechanisms and
    /// libsodium for its random bytes (none if libsodium fails to start), as
    /// the platforms build it.
    public convenience init(chip: ChipModel = .ultraSPARCT1, dhPrivateValues: DHPrivateValueLength = .fullLength,
                            kernel: SolarisBignumKernel = .floatingPoint, timing: EmulatedTiming = .fast) {
        self.init(chip: chip, dhPrivateValues: dhPrivateValues, kernel: kernel, timing: timing,
                  libcrypto: OpenSSLProvider(), random: try? SodiumProvider())
    }
}
