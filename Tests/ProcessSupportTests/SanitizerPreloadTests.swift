import Foundation
import ProcessSupport
import Testing

/// What `make sanitize-address` changes in a child's start, read from the
/// environment it is given: the ASan runtime preloaded into outside programs,
/// and for the listed exemptions only, the uninstrumented module and no preload.
@Suite("Sanitizer preload")
struct SanitizerPreloadTests {
    static let runtime = "/toolchain/lib/libclang_rt.asan-x86_64.so"
    static let built = "/work/.build-asan"
    static let instrumented = "/work/.build-asan/debug/libCryptoFrameworkPKCS11.so"
    static let uninstrumented = "/work/.build/debug/libCryptoFrameworkPKCS11.so"
    static let asan = [TestEnvironment.childASanRuntime.rawValue: runtime, TestEnvironment.childASanBuilt.rawValue: built]

    @Test("unset, a child's environment is left as it is; set, outside programs get the runtime first in LD_PRELOAD, our instrumented executables nothing")
    func preload() {
        let plain = ["PATH": "/usr/bin", "LD_PRELOAD": "/lib/other.so"]
        #expect(SanitizerPreload.applied(to: plain, executable: "/usr/bin/pkcs11-tool") == plain)
        let outside = SanitizerPreload.applied(to: plain.merging(Self.asan) { $1 }, executable: "/usr/bin/pkcs11-tool")
        #expect(outside["LD_PRELOAD"] == "\(Self.runtime):/lib/other.so")
        #expect(outside["ASAN_OPTIONS"] == "detect_leaks=0:halt_on_error=1")
        let ours = Self.asan.merging(["PATH": "/usr/bin"]) { $1 }
        #expect(SanitizerPreload.applied(to: ours, executable: Self.built + "/debug/cryptoadm") == ours)
        // A sibling directory whose name merely starts the same is not the build.
        #expect(SanitizerPreload.applied(to: ours, executable: Self.built + "-old/debug/cryptoadm")["LD_PRELOAD"] == Self.runtime)
    }

    @Test("an exemption takes the uninstrumented module without the preload only when the runtime and that module are both named", arguments: SanitizerPreload.Exemption.allCases)
    func exemption(_ exemption: SanitizerPreload.Exemption) {
        let module = TestEnvironment.childASanExemptModule.rawValue
        let normal = SanitizerPreload.child(exemption, module: Self.instrumented, environment: [module: Self.uninstrumented], announce: false)
        #expect(normal.module == Self.instrumented && normal.preloadsRuntime, "a run without ASan is untouched")
        let withoutBuild = SanitizerPreload.child(exemption, module: Self.instrumented, environment: Self.asan.merging([module: ""]) { $1 }, announce: false)
        #expect(withoutBuild.module == Self.instrumented && withoutBuild.preloadsRuntime, "no uninstrumented build: as before")
        let exempt = SanitizerPreload.child(exemption, module: Self.instrumented, environment: Self.asan.merging([module: Self.uninstrumented]) { $1 }, announce: false)
        #expect(exempt.module == Self.uninstrumented && !exempt.preloadsRuntime)
    }

    @Test("a child started with preloadsSanitizerRuntime false gets no LD_PRELOAD; with it, the named runtime")
    func childEnvironment() async throws {
        // A runtime path that does not exist: the dynamic loader warns and goes on, and the shell prints what it was given.
        let script = "echo \"${LD_PRELOAD:-none}\""
        var preloaded = Command("/bin/sh", ["-c", script], environment: [TestEnvironment.childASanRuntime.rawValue: "/nonexistent/libclang_rt.asan-x86_64.so"])
        preloaded.environment["LD_PRELOAD"] = nil
        preloaded.standardError = .discard
        #expect(try await ChildProcess.check(preloaded) == "/nonexistent/libclang_rt.asan-x86_64.so\n")
        var exempt = preloaded
        exempt.preloadsSanitizerRuntime = false
        #expect(try await ChildProcess.check(exempt) == "none\n")
    }
}
