import Foundation
import ProcessSupport

/// The fake PKCS#11 modules of the load-failure tests: C files in
/// Tests/ProvidersTests/Fixtures (read via #filePath), compiled with cc.
public enum FakePKCS11Module {
    public static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ProvidersTests/Fixtures")

    /// Compiles the fixture `source` into a shared library called `library` in a new
    /// temporary directory; returns its path.
    public static func build(_ source: String, as library: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cf-fake-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let out = dir.appendingPathComponent(library).path
        var cc = Command("/usr/bin/env", ["cc", "-shared", "-fPIC", "-I/usr/include/p11-kit-1", "-o", out,
                                          fixtures.appendingPathComponent(source).path])
        cc.preloadsSanitizerRuntime = false
        try ChildProcess.check(cc)
        return out
    }
}
