import Foundation
import ProcessSupport
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The built libCryptoFrameworkPKCS11.so, and scratch directories for one
/// test: its own keystore, policy file, HOME and XDG dirs, so nothing under
/// the real $HOME is read or written.
enum ModuleUnderTest {
    /// ``TestEnvironment/pkcs11Module``, else the library in the build products
    /// directory the test bundle runs from (`swift build` builds every product,
    /// the dynamic library included), else `.build/debug` under the package.
    static let path: String = {
        if let explicit = TestEnvironment.pkcs11Module.value() {
            return explicit
        }
        return BuildProducts.url(of: "libCryptoFrameworkPKCS11.so").path
    }()

    static let packageRoot = PackageRoot.url

    /// `swift test` does not link a dynamic library product; `make test` builds it first.
    static var exists: Bool { FileManager.default.fileExists(atPath: path) }

    static let missing = "\(path) is missing: run `swift build --product CryptoFrameworkPKCS11` first (make test does)"

    /// The module for a child that cannot run under the ASan runtime for a cause
    /// of its own (``SanitizerPreload/Exemption``), and whether it gets the
    /// preload: under `make sanitize-address` the uninstrumented build without
    /// it, announced on standard error; in every other run ``path``, as for any child.
    static func exempt(_ exemption: SanitizerPreload.Exemption) -> SanitizerPreload.Child {
        SanitizerPreload.child(exemption, module: path)
    }
}

/// One test's private world.
struct Scratch {
    let root: URL
    var keystore: String { root.appendingPathComponent("keystore").path }
    var conf: String { root.appendingPathComponent("kcf.conf").path }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("pkcs11-module-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// The environment a client runs in: this scratch's keystore and policy, `platform`.
    func environment(platform: String = "host", extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = root.path
        env["XDG_CONFIG_HOME"] = root.appendingPathComponent("config").path
        env["XDG_DATA_HOME"] = root.appendingPathComponent("data").path
        env["CRYPTOFRAMEWORK_KEYSTORE"] = keystore
        env["CRYPTOFRAMEWORK_CONF"] = conf
        env["CRYPTOFRAMEWORK_PLATFORM"] = platform
        env["CRYPTOFRAMEWORK_TRACE"] = nil
        env["CRYPTOFRAMEWORK_TRACE_FILE"] = nil
        env.merge(extra) { _, new in new }
        return env
    }
}

/// Runs `executable` (a path, or a name in /usr/bin) with `arguments` to completion in
/// `environment` (the whole of it), its standard output and error captured apart. The
/// task waits holding no thread of the cooperative pool (charon's exchanges in this
/// process resume on those threads). `preloadsSanitizerRuntime` is false only for a
/// child of a ``SanitizerPreload/Exemption`` (``ModuleUnderTest/exempt(_:)``). The
/// bound is for a stuck client, not a speed claim.
func runClient(
    _ executable: String, _ arguments: [String], environment: [String: String], preloadsSanitizerRuntime: Bool = true
) async throws -> ChildProcess.Outcome {
    var command = Command(executable.hasPrefix("/") ? executable : "/usr/bin/" + executable, arguments)
    command.environment = environment
    command.standardError = .capture
    command.preloadsSanitizerRuntime = preloadsSanitizerRuntime
    await ClientSlots.shared.acquire()
    do {
        let outcome = try await ChildProcess.run(command, timeout: 600)
        await ClientSlots.shared.release()
        return outcome
    } catch {
        await ClientSlots.shared.release()
        throw error
    }
}

/// At most one ``runClient(_:_:environment:preloadsSanitizerRuntime:)`` child
/// per core at a time. The clients are CPU-bound, and each suite runs its steps
/// in order: with every suite's children at once, all of them share the cores
/// and each suite's chain of steps ends later (the C client and pkcs11-provider
/// suites set the process's wall time). A task waiting for a slot holds no
/// thread, so charon's exchanges, which do not go through here, still resume at once.
actor ClientSlots {
    static let shared = ClientSlots(limit: max(1, ProcessInfo.processInfo.activeProcessorCount))

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { free = limit }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot to the first waiter, else frees it.
    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}
