import Foundation
import ProcessSupport

/// One strongSwan charon kept away from the machine's IPsec state: its own
/// strongswan.conf (`STRONGSWAN_CONF`), swanctl directory (`SWANCTL_DIR`) and
/// vici socket under `directory`, and a private /run (a mount namespace from
/// `unshare -m` with a tmpfs over /run, where charon writes its pid file).
/// Its connections have no children, so no kernel SA or policy is installed.
/// Ended by its pid (``stop(grace:)``, also when the last reference goes).
///
///     let charon = try await CharonDaemon.start(in: directory, settings: settings,
///                                               swanctlConf: conf, files: ["x509/peer.crt": pem])
///     try await charon.loadAll()
///     let outcome = try await charon.initiate(ike: "c1")
///     charon.stop()
public final class CharonDaemon: Sendable {
    public static let charonPath = "/usr/lib/ipsec/charon"
    public static let swanctlPath = "/usr/sbin/swanctl"
    public static let unsharePath = "/usr/bin/unshare"
    static let pluginDirectory = "/usr/lib/ipsec/plugins"

    /// Why charon cannot run here, or nil: it needs root (unshare -m and a
    /// tmpfs over /run), charon, swanctl, unshare and the loadable `plugins`
    /// asked for (e.g. pkcs11, which Debian ships in libstrongswan-extra-plugins).
    public static func missingPrerequisite(plugins: [String] = []) -> String? {
        if getuid() != 0 { return "charon needs root: unshare -m and a tmpfs over /run give it a private /run" }
        let files = [charonPath, swanctlPath, unsharePath] + plugins.map { "\(pluginDirectory)/libstrongswan-\($0).so" }
        for path in files where !FileManager.default.fileExists(atPath: path) {
            return "\(path) is missing: `sudo apt-get install -y strongswan-charon strongswan-swanctl libstrongswan-extra-plugins` (or `make deps` as root)"
        }
        return nil
    }

    public static var isAvailable: Bool { missingPrerequisite() == nil }

    public let directory: URL
    public var viciSocket: String { directory.appendingPathComponent("charon.vici").path }
    public var logPath: String { directory.appendingPathComponent("charon.log").path }
    public var swanctlDirectory: URL { directory.appendingPathComponent("swanctl") }
    public var pid: Int32 { daemon.pid }
    public var isRunning: Bool { daemon.isRunning }
    private let daemon: ChildProcess

    private init(directory: URL, daemon: ChildProcess) {
        self.directory = directory
        self.daemon = daemon
    }

    /// Writes `directory`/strongswan.conf from `settings`, swanctl/swanctl.conf,
    /// and `files` (text by path under swanctl/, e.g. `x509/peer.crt`,
    /// `private/peer.key`); starts charon with `environment` added to ours and
    /// waits, bounded by `startTimeout`, until its vici socket exists.
    public static func start(
        in directory: URL, settings: CharonSettings, swanctlConf: SwanctlConf, files: [String: String] = [:],
        environment: [String: String] = [:], startTimeout: Double = 60
    ) async throws -> CharonDaemon {
        let fm = FileManager.default
        let swanctl = directory.appendingPathComponent("swanctl")
        for sub in ["x509", "x509ca", "private", "pubkey", "rsa", "conf.d"] {
            try fm.createDirectory(at: swanctl.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try swanctlConf.text.write(to: swanctl.appendingPathComponent("swanctl.conf"), atomically: true, encoding: .utf8)
        for (path, text) in files {
            try text.write(to: swanctl.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        let conf = directory.appendingPathComponent("strongswan.conf")
        try settings.text(viciSocket: directory.appendingPathComponent("charon.vici").path,
                          logPath: directory.appendingPathComponent("charon.log").path)
            .write(to: conf, atomically: true, encoding: .utf8)

        // unshare execs sh, sh execs charon: the child's pid is charon's.
        var command = Command(
            unsharePath,
            ["-m", "--propagation", "private", "/bin/sh", "-c", "mount -t tmpfs -o size=1m tmpfs /run && exec \(charonPath)"],
            environment: environment.merging(["STRONGSWAN_CONF": conf.path]) { $1 })
        let out = directory.appendingPathComponent("charon.out")
        command.standardOutput = .file(out.path)
        let charon = CharonDaemon(directory: directory, daemon: try ChildProcess(command))
        let socket = charon.viciSocket
        // Ready once the socket takes a connection: charon binds (the file
        // appears) before it listens, and a swanctl in between was refused.
        _ = try await Polling.until(timeout: startTimeout, interval: 0.05) {
            !charon.isRunning || Self.acceptsConnections(unixSocket: socket)
        }
        guard charon.isRunning, Self.acceptsConnections(unixSocket: socket) else {
            charon.stop()
            let output = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            throw ChildProcess.Failure(description: "charon in \(directory.path) did not open its vici socket within \(startTimeout) s: \(output)\(charon.log.suffix(2000))")
        }
        // A port already taken leaves charon running without IPv4 (CharonPorts):
        // say so now instead of after every exchange has timed out.
        if charon.log.contains("could not open IPv4 socket") {
            charon.stop()
            throw ChildProcess.Failure(description: "charon could not bind UDP port \(settings.ikePort) or \(settings.ikePort + 1) "
                                       + "(held by another program? use CharonPorts.freePair()): \(charon.log.suffix(1000))")
        }
        return charon
    }

    deinit { stop() }

    /// Whether a stream connection to the Unix socket at `path` is accepted now.
    static func acceptsConnections(unixSocket path: String) -> Bool {
        guard var address = unixAddress(path) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }

    /// The address of the Unix socket at `path`; nil when the path does not fit (with its NUL).
    static func unixAddress(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// Ends charon by its pid: SIGTERM, then SIGKILL if it is still there after `grace` seconds.
    public func stop(grace: Double = 15) { daemon.terminate(grace: grace) }

    /// Ends charon and removes its directory.
    public func removeFiles() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// charon's log so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// swanctl against this charon (its socket, its swanctl directory), ended after `timeout` seconds.
    public func swanctl(_ arguments: [String], timeout: Double = 120) async throws -> ChildProcess.Outcome {
        try await ChildProcess.run(Command(Self.swanctlPath, arguments + ["--uri", "unix://\(viciSocket)"],
                                           environment: ["SWANCTL_DIR": swanctlDirectory.path]), timeout: timeout)
    }

    /// Loads swanctl.conf, its connections and the credentials it names.
    public func loadAll() async throws {
        let outcome = try await swanctl(["--load-all", "--noprompt"])
        guard outcome.termination == .exited(0) else {
            throw ChildProcess.Failure(description: "swanctl --load-all for \(directory.lastPathComponent): \(outcome)")
        }
    }

    /// Initiates the IKE SA of connection `ike` (no child SA) and waits up to `timeout` seconds for the outcome.
    public func initiate(ike: String, timeout: Int = 60) async throws -> ChildProcess.Outcome {
        try await swanctl(["--initiate", "--ike", ike, "--timeout", String(timeout)], timeout: Double(timeout) + 30)
    }

    /// Deletes the IKE SA of connection `ike`.
    public func terminate(ike: String) async throws -> ChildProcess.Outcome {
        try await swanctl(["--terminate", "--ike", ike, "--timeout", "30"], timeout: 60)
    }
}
