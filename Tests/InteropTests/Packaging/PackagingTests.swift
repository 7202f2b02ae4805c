import Foundation
import ProcessSupport
import TestSupport
import Testing

/// What `make install` ships: the manual pages render with man(1) and are
/// current with the commands' help; install then uninstall into a DESTDIR
/// leaves it exactly as it was.
@Suite("Packaging: manual pages, make install, make uninstall")
struct PackagingTests {
    static let packageRoot = PackageRoot.url

    /// The directory `swift test` built the commands into (this target depends on both).
    static let productsDirectory = BuildProducts.url(of: "ikebench").deletingLastPathComponent()

    /// Runs a program to completion; stdout and stderr together. The bound is for a stuck run.
    static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> ChildProcess.Outcome {
        var command = Command(program, arguments, environment: environment)
        command.preloadsSanitizerRuntime = false  // man, make and our own binaries: none loads the module
        return try await ChildProcess.run(command, timeout: 600)
    }

    static let pages = [("docs/man/cryptoadm.8", "cryptoadm"), ("docs/man/ikebench.1", "ikebench")]

    @Test(arguments: pages)
    func manualPageRendersWithItsSections(page: String, command: String) async throws {
        let path = Self.packageRoot.appendingPathComponent(page).path
        let rendered = try await Self.run("/usr/bin/man", ["-l", path], environment: ["MANPAGER": "cat", "MANWIDTH": "100", "LC_ALL": "C.UTF-8"])
        #expect(rendered.status == 0, "\(rendered.standardOutput)")
        #expect(!rendered.standardOutput.contains("mdoc warning"), "\(rendered.standardOutput)")
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPERANDS", "EXAMPLES", "EXIT STATUS", "FILES", "SEE ALSO"] {
            #expect(rendered.standardOutput.contains("\n\(section)\n"), "\(page) has no \(section) section")
        }
    }

    /// Every long option the command's parser knows appears in its page: a page
    /// left behind by a new option fails here (regenerate with `make man`).
    @Test(arguments: pages)
    func manualPageIsCurrentWithTheHelp(page: String, command: String) async throws {
        let dump = try await Self.run(Self.productsDirectory.appendingPathComponent(command).path, ["--experimental-dump-help"])
        #expect(dump.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.standardOutput.utf8)) as? [String: Any])
        var options: Set<String> = []
        func collect(_ command: [String: Any]) {
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool != false {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    if let n = name["name"] as? String { options.insert("--" + n) }
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { collect(sub) }
        }
        collect(try #require(json["command"] as? [String: Any]))
        // generate-manual drops every non-ASCII character of the help; keep it ASCII so the page says all of it.
        let nonASCII = Set(dump.standardOutput.unicodeScalars.filter { !$0.isASCII }.map(String.init))
        #expect(nonASCII.isEmpty, "\(command)'s help has \(nonASCII.sorted()), which the manual page would lose")
        #expect(options.contains("--help"))
        // mdoc writes --name as `Fl -name` (after `Fl x ,` when there is a short name too).
        let text = try String(contentsOf: Self.packageRoot.appendingPathComponent(page), encoding: .utf8)
        let missing = options.filter { !text.contains(String($0.dropFirst())) }.sorted()
        #expect(missing.isEmpty, "\(page) lacks \(missing): run `make man`")
    }

    /// Paths and contents under `root`, to compare a directory before and after.
    static func snapshot(_ root: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let keys: [URLResourceKey] = [.isDirectoryKey]
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys) else { return out }
        for case let url as URL in walker {
            let relative = String(url.path.dropFirst(root.path.count))
            let isDirectory = try url.resourceValues(forKeys: Set(keys)).isDirectory ?? false
            out[relative] = isDirectory ? Data("<dir>".utf8) : try Data(contentsOf: url)
        }
        return out
    }

    @Test func installThenUninstallLeavesTheDirectoryAsItWas() async throws {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("cryptoframework-install-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: scratch) }
        let destdir = scratch.appendingPathComponent("root"), built = scratch.appendingPathComponent("built")
        // Something already there, in a directory install also uses: it must survive.
        try fm.createDirectory(at: destdir.appendingPathComponent("opt/cf/share/man/man1"), withIntermediateDirectories: true)
        try Data("someone else's page\n".utf8).write(to: destdir.appendingPathComponent("opt/cf/share/man/man1/other.1"))
        // The built products, and a stand-in for the PKCS#11 module, so its guarded rule runs too.
        try fm.createDirectory(at: built, withIntermediateDirectories: true)
        for tool in ["ikebench", "cryptoadm"] {
            try fm.createSymbolicLink(at: built.appendingPathComponent(tool), withDestinationURL: Self.productsDirectory.appendingPathComponent(tool))
        }
        try Data("not really a module".utf8).write(to: built.appendingPathComponent("libCryptoFrameworkPKCS11.so"))
        let before = try Self.snapshot(destdir)

        let make = ["-C", Self.packageRoot.path, "PREFIX=/opt/cf", "DESTDIR=\(destdir.path)"]
        let install = try await Self.run("/usr/bin/make", make + ["install", "BUILT=\(built.path)"])
        #expect(install.status == 0, "\(install.standardOutput)")
        let prefix = destdir.appendingPathComponent("opt/cf")
        for file in ["bin/ikebench", "bin/cryptoadm", "share/man/man1/ikebench.1", "share/man/man8/cryptoadm.8",
                     "share/bash-completion/completions/cryptoadm", "share/zsh/site-functions/_ikebench",
                     "share/fish/vendor_completions.d/cryptoadm.fish", "lib/pkcs11/libCryptoFrameworkPKCS11.so",
                     "share/p11-kit/modules/cryptoframework.module", "share/cryptoframework/install-manifest"] {
            #expect(fm.fileExists(atPath: prefix.appendingPathComponent(file).path), "\(file) not installed")
        }
        let module = try String(contentsOf: prefix.appendingPathComponent("share/p11-kit/modules/cryptoframework.module"), encoding: .utf8)
        #expect(module.contains("module: /opt/cf/lib/pkcs11/libCryptoFrameworkPKCS11.so"))
        let completion = try String(contentsOf: prefix.appendingPathComponent("share/bash-completion/completions/cryptoadm"), encoding: .utf8)
        #expect(completion.contains("complete") && completion.contains("cryptoadm"))
        let installed = try await Self.run(prefix.appendingPathComponent("bin/cryptoadm").path, ["--help"])
        #expect(installed.status == 0 && installed.standardOutput.contains("disable"))

        // Installing again replaces the first installation; one uninstall removes it.
        #expect(try await Self.run("/usr/bin/make", make + ["install", "BUILT=\(built.path)"]).status == 0)
        let uninstall = try await Self.run("/usr/bin/make", make + ["uninstall"])
        #expect(uninstall.status == 0, "\(uninstall.standardOutput)")
        let after = try Self.snapshot(destdir)
        #expect(after == before, "left behind: \(Set(after.keys).symmetricDifference(before.keys).sorted())")
    }
}
