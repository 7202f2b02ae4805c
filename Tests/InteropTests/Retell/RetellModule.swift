import Charon
import Foundation
import ProcessSupport
import TestSupport

/// Where the tests find what they drive: the framework's PKCS#11 module and
/// `cryptoadm`, built into the same products directory as this test bundle.
enum RetellModule {
    static let productsDirectory = BuildProducts.url(of: "cryptoadm").deletingLastPathComponent()

    static let packageRoot = PackageRoot.url

    /// ``TestEnvironment/pkcs11Module``, else libCryptoFrameworkPKCS11.so among the products.
    static var modulePath: String {
        if let explicit = TestEnvironment.pkcs11Module.value() { return explicit }
        return productsDirectory.appendingPathComponent("libCryptoFrameworkPKCS11.so").path
    }

    static var cryptoadmPath: String { productsDirectory.appendingPathComponent("cryptoadm").path }

    /// A missing module is a test failure that says how to build it, never a skip.
    static var isBuilt: Bool { FileManager.default.fileExists(atPath: modulePath) }

    /// charon needs root (unshare -m, a tmpfs over /run), strongSwan and its pkcs11 plugin installed.
    static var charonMissing: String? { CharonDaemon.missingPrerequisite(plugins: ["pkcs11"]) }
}
