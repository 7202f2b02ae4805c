import Charon
import Foundation
import ProcessSupport
import TestSupport

/// Where the tests find what they drive: the framework's PKCS#11 module and
/// `cryptoadm`, built into the same products directory as this test bundle.
enum RetellModule {
    static let productsDirectory: URL = {
        var candidates: [URL] = [Bundle.main.bundleURL.deletingLastPathComponent()]
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        candidates += candidates.map { $0.deletingLastPathComponent() }
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("cryptoadm").path) }
            ?? packageRoot.appendingPathComponent(".build/debug")
    }()

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
