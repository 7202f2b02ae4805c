import Foundation
import SystemPrimitives

/// Outside processes that load an AddressSanitizer build of the PKCS#11 module.
///
/// `make sanitize-address` builds `libCryptoFrameworkPKCS11.so` with ASan; the
/// module then needs the ASan runtime, which pkcs11-tool, p11tool, charon or a
/// C client do not carry. The Makefile names the toolchain's runtime in
/// ``TestEnvironment/childASanRuntime``, and every child started through this
/// package gets it in `LD_PRELOAD`, with leak checking off (the tools' own
/// allocations at exit are not ours to judge; memory errors in the module still
/// abort the child, and the test that ran it fails). Our own executables under
/// ``TestEnvironment/childASanBuilt`` (the instrumented build) carry their own
/// runtime and get no preload. Unset, nothing changes.
///
/// The ``Exemption``s are the outside programs that cannot run under the
/// runtime for a cause in their own code: those children load the
/// uninstrumented module named by ``TestEnvironment/childASanExemptModule``
/// and get no preload (``child(_:module:environment:announce:)``).
public enum SanitizerPreload {
    /// `environment` for a child running `executable`, with the runtime preloaded when asked for.
    public static func applied(to environment: [String: String], executable: String) -> [String: String] {
        guard let runtime = TestEnvironment.childASanRuntime.value(in: environment) else { return environment }
        if let built = TestEnvironment.childASanBuilt.value(in: environment),
            URL(fileURLWithPath: executable).standardizedFileURL.path.hasPrefix(URL(fileURLWithPath: built).standardizedFileURL.path + "/")
        {
            return environment
        }
        var env = environment
        env["LD_PRELOAD"] = [runtime, env["LD_PRELOAD"]].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ":")
        env["ASAN_OPTIONS"] = "detect_leaks=0:halt_on_error=1"
        return env
    }

    /// An outside program that cannot run under the ASan runtime, for a cause
    /// in its own code with no frame of ours. The list is closed on purpose:
    /// every other child keeps the instrumented module and the preload.
    public enum Exemption: String, Sendable, CaseIterable {
        /// pkcs11-provider 1.0 (OpenSSL 3) opens the module with
        /// `RTLD_DEEPBIND`, which the ASan runtime refuses to load at all
        /// ("incompatible with sanitizer runtime", google/sanitizers#611).
        case pkcs11ProviderDeepBind = "pkcs11-provider (RTLD_DEEPBIND)"
        /// OpenSC 0.23's pkcs11-tool `--read-object --type pubkey` of an EC
        /// key frees a buffer and then passes it to libcrypto's
        /// `EVP_PKEY_fromdata`: a heap-use-after-free inside pkcs11-tool.
        case pkcs11ToolECPublicKeyRead = "pkcs11-tool --read-object of an EC public key (use after free in pkcs11-tool 0.23)"
    }

    /// How to start a child of `exemption` that would load `module`.
    public struct Child: Sendable, Equatable {
        /// The module it loads: `module`, or the uninstrumented build under ASan.
        public let module: String
        /// The value for ``Command/preloadsSanitizerRuntime``.
        public let preloadsRuntime: Bool
    }

    /// Under `make sanitize-address` (``TestEnvironment/childASanRuntime`` and
    /// ``TestEnvironment/childASanExemptModule`` both set): the uninstrumented
    /// module, no preload, and one line on standard error per exemption and
    /// process saying so (unless `announce` is false). Otherwise `module` and
    /// the preload as for any child: a normal run is untouched, and an ASan run
    /// without the uninstrumented build fails the way it always did.
    public static func child(
        _ exemption: Exemption, module: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        announce: Bool = true
    ) -> Child {
        guard TestEnvironment.childASanRuntime.value(in: environment) != nil,
            let uninstrumented = TestEnvironment.childASanExemptModule.value(in: environment)
        else { return Child(module: module, preloadsRuntime: true) }
        let first = announce && announced.withLock { $0.insert(exemption).inserted }
        if first {
            FileHandle.standardError.write(Data("""
                sanitize-address: \(exemption.rawValue): these children load the uninstrumented module \
                \(uninstrumented) without the ASan runtime (docs/testing.md)

                """.utf8))
        }
        return Child(module: uninstrumented, preloadsRuntime: false)
    }

    private static let announced = Locked(Set<Exemption>())
}
