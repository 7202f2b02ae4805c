import Foundation
import ProcessSupport

/// strongSwan's charon for a test, kept away from the machine's IPsec state:
/// its own strongswan.conf (`STRONGSWAN_CONF`), its own swanctl directory
/// (`SWANCTL_DIR`) and vici socket in a temporary directory, and a private
/// /run (a mount namespace from `unshare -m` with a tmpfs over /run, where
/// charon writes its pid file). Connections should have no `children`, so no
/// kernel policy or SA is ever installed. Started with the configuration text
/// given; ended by its pid (``stop()``, also on deinit).
///
///     let charon = try CharonDaemon(swanctlConf: conf, files: ["x509/peer.crt": pem, "private/peer.key": key],
///                                   ikePort: 21500)
///     try charon.loadAll()
///     let (status, output) = try charon.initiate(ike: "c1")
///     charon.stop()
public final class CharonDaemon: Sendable {
    public static let charonPath = "/usr/lib/ipsec/charon"
    public static let swanctlPath = "/usr/sbin/swanctl"
    public static let unsharePath = "/usr/bin/unshare"

    /// Whether charon can run here: the binaries exist and we are root (unshare -m and mount need it).
    public static var isAvailable: Bool {
        let fm = FileManager.default
        return getuid() == 0 && [charonPath, swanctlPath, unsharePath].allSatisfy { fm.isExecutableFile(atPath: $0) }
    }

    public let directory: URL
    public let viciSocket: String
    public let logPath: String
    public var swanctlDirectory: URL { directory.appendingPathComponent("swanctl") }
    public let pid: Int32
    private let process: ChildProcess

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A strongswan.conf for a test charon: only the plugins pubkey/X.509 IKEv1
    /// needs, IKE on `ikePort` and `natPort`, vici on `viciSocket`, a debug log
    /// at `logPath`, no routes or virtual IPs, few retransmissions.
    public static func strongswanConf(ikePort: Int, natPort: Int, viciSocket: String, logPath: String,
                                      retransmitTries: Int = 3, extra: String = "") -> String {
        """
        charon {
          load_modular = no
          load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey hmac kernel-netlink socket-default vici
          port = \(ikePort)
          port_nat_t = \(natPort)
          install_routes = no
          install_virtual_ip = no
          retransmit_tries = \(retransmitTries)
          retransmit_timeout = 2.0
          plugins {
            vici { socket = unix://\(viciSocket) }
          }
          filelog {
            test { path = \(logPath)
                   default = 1
                   ike = 2
                   flush_line = yes }
          }
          syslog { daemon { default = -1 } }
        \(extra)
        }

        """
    }

    /// Writes the configuration into a new temporary directory and starts charon.
    /// `strongswanConf` nil: ``strongswanConf(ikePort:natPort:viciSocket:logPath:)``
    /// on `ikePort` and `ikePort + 1`. `files` are written under the swanctl
    /// directory (e.g. `x509/peer.crt`, `private/peer.key`, `pubkey/x.pem`).
    public init(name: String = "charon", swanctlConf: String, files: [String: String] = [:],
                ikePort: Int, strongswanConf: String? = nil, startTimeout: Double = 30) throws {
        let fm = FileManager.default
        directory = fm.temporaryDirectory.appendingPathComponent("\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        viciSocket = directory.appendingPathComponent("charon.vici").path
        logPath = directory.appendingPathComponent("charon.log").path
        let swanctl = directory.appendingPathComponent("swanctl")
        for sub in ["x509", "x509ca", "private", "pubkey", "rsa", "conf.d"] {
            try fm.createDirectory(at: swanctl.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try swanctlConf.write(to: swanctl.appendingPathComponent("swanctl.conf"), atomically: true, encoding: .utf8)
        for (path, text) in files {
            try text.write(to: swanctl.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        let confPath = directory.appendingPathComponent("strongswan.conf")
        let conf = strongswanConf ?? Self.strongswanConf(ikePort: ikePort, natPort: ikePort + 1, viciSocket: viciSocket, logPath: logPath)
        try conf.write(to: confPath, atomically: true, encoding: .utf8)

        // unshare execs sh, sh execs charon: the child's pid is charon's.
        var command = Command(
            Self.unsharePath,
            ["-m", "--propagation", "private", "/bin/sh", "-c", "mount -t tmpfs -o size=1m tmpfs /run && exec \(Self.charonPath)"],
            environment: ["STRONGSWAN_CONF": confPath.path])
        command.standardOutput = .file(directory.appendingPathComponent("charon.out").path)
        let p = try ChildProcess(command)
        process = p
        pid = p.pid

        let socket = viciSocket
        let ready = Polling.until(timeout: startTimeout, interval: 0.05) { !p.isRunning || fm.fileExists(atPath: socket) }
        guard ready && p.isRunning else {
            stop()
            let output = (try? String(contentsOf: directory.appendingPathComponent("charon.out"), encoding: .utf8)) ?? ""
            throw StartError(description: "charon did not open its vici socket within \(startTimeout) s: \(output)")
        }
    }

    deinit { stop() }

    /// Ends charon by its pid: SIGTERM, then SIGKILL if it is still there after `grace` seconds.
    public func stop(grace: Double = 10) { process.terminate(grace: grace) }

    public var isRunning: Bool { process.isRunning }

    /// charon's log so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Runs swanctl against this charon (its socket, its swanctl directory), killed after `timeout` seconds.
    @discardableResult
    public func swanctl(_ arguments: [String], timeout: Double = 60) throws -> (status: Int32, output: String) {
        let outcome = try ChildProcess.run(Command(Self.swanctlPath, arguments + ["--uri", "unix://\(viciSocket)"],
                                                   environment: ["SWANCTL_DIR": swanctlDirectory.path]), timeout: timeout)
        return (outcome.status, outcome.standardOutput)
    }

    /// ``swanctl(_:timeout:)`` on a thread of its own: swanctl blocks until
    /// charon answers, and a blocked thread of Swift's cooperative pool could
    /// starve the in-process responder charon is talking to.
    public func swanctlAsync(_ arguments: [String], timeout: Double = 60) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { c in
            Thread.detachNewThread { c.resume(with: Result { try self.swanctl(arguments, timeout: timeout) }) }
        }
    }

    /// ``initiate(ike:timeout:)`` off the cooperative pool.
    public func initiateAsync(ike: String, timeout: Int = 60) async throws -> (status: Int32, output: String) {
        try await swanctlAsync(["--initiate", "--ike", ike, "--timeout", String(timeout)], timeout: Double(timeout) + 10)
    }

    /// Loads swanctl.conf and the credentials beside it.
    public func loadAll() throws {
        let (status, output) = try swanctl(["--load-all", "--noprompt"])
        guard status == 0 else { throw StartError(description: "swanctl --load-all failed (\(status)): \(output)") }
    }

    /// Initiates the IKE SA of connection `ike` (no child SA) and waits for the outcome.
    public func initiate(ike: String, timeout: Int = 60) throws -> (status: Int32, output: String) {
        try swanctl(["--initiate", "--ike", ike, "--timeout", String(timeout)], timeout: Double(timeout) + 10)
    }

    /// Polls `swanctl --list-sas` until an IKE SA of connection `ike` is ESTABLISHED (bounded).
    public func waitForEstablished(ike: String, timeout: Double = 60) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            let (_, output) = try swanctl(["--list-sas", "--ike", ike], timeout: 20)
            if output.contains("ESTABLISHED") { return true }
            usleep(200_000)
        } while Date() < deadline
        return false
    }

    /// Removes the temporary directory (after ``stop()``).
    public func removeFiles() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
