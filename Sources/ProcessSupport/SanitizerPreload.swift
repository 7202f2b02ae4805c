import Foundation

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
}
