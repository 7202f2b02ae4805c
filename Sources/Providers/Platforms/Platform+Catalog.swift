import CryptoFramework
import EmulatedHardware
import ProviderGMP
import ProviderNCP
import ProviderOpenSSL
import ProviderPKCS11
import ProviderSPARCFloat
import ProviderSodium

extension Platform {
    /// Every platform this build knows.
    public static var all: [Platform] { [.host, .t2000, .t5220] }

    /// The platform called `name` (`host`, …), or nil.
    public static func named(_ name: String) -> Platform? {
        all.first { $0.name == name }
    }
}
