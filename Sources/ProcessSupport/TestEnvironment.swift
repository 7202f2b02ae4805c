import Foundation

/// The environment variables only the test harness and the sanitizer builds
/// read: the one list of their names (what the framework itself reads is
/// CryptoFramework's `FrameworkEnvironment`). An empty value counts as unset.
public enum TestEnvironment: String, CaseIterable, Sendable {
    /// The toolchain's AddressSanitizer runtime, preloaded into every outside
    /// child (see ``SanitizerPreload``). Grammar: a path. Default: none, no
    /// preload. Set by `make sanitize-address`.
    case childASanRuntime = "CRYPTOFRAMEWORK_CHILD_ASAN_RUNTIME"

    /// The instrumented build directory, whose executables carry their own
    /// runtime and get no preload. Grammar: a path. Default: none. Set by
    /// `make sanitize-address`.
    case childASanBuilt = "CRYPTOFRAMEWORK_CHILD_ASAN_BUILT"

    /// An uninstrumented build of the PKCS#11 module, for the few outside
    /// programs that cannot run under the ASan runtime at all
    /// (``SanitizerPreload/Exemption``): they load this build instead, without
    /// the preload. Read only while ``childASanRuntime`` is set. Grammar: a path
    /// to a `.so`. Default: none, those programs run like every other. Set by
    /// `make sanitize-address`.
    case childASanExemptModule = "CRYPTOFRAMEWORK_CHILD_ASAN_EXEMPT_MODULE"

    /// The PKCS#11 module the module and retell tests load. Grammar: a path
    /// to a `.so`. Default: libCryptoFrameworkPKCS11.so among the build products.
    case pkcs11Module = "CRYPTOFRAMEWORK_PKCS11_MODULE"

    /// The value `environment` gives the variable, or nil when it is unset or empty.
    public func value(in environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        environment[rawValue].flatMap { $0.isEmpty ? nil : $0 }
    }
}
