import Foundation
import ProcessSupport

/// One strongSwan charon kept away from the machine's IPsec state: its own
/// strongswan.conf (`STRONGSWAN_CONF`), swanctl directory (`SWANCTL_DIR`) and
/// vici socket under `directory`, and a private /run (a mount namespace from
/// `unshare -m` with a tmpfs over /run, where charon writes its pid file).
/// Connections have no children, so no kernel SA or policy is installed.
/// Ended by its pid (``stop()``, also on deinit).
final class CharonDaemonProcess: Sendable {
    static let charonPath = "/usr/lib/ipsec/charon"
    static let swanctlPath = "/usr/sbin/swanctl"
    static let unsharePath = "/usr/bin/unshare"

    let directory: URL
    var viciSocket: String { directory.appendingPathComponent("charon.vici").path }
    var logPath: String { directory.appendingPathComponent("charon.log").path }
    var swanctlDirectory: URL { directory.appendingPathComponent("swanctl") }
    var pid: Int32 { daemon.pid }
    private let daemon: ChildProcess

    /// Starts charon with `directory/strongswan.conf` (already written) and
    /// `environment` added to ours; waits until its vici socket exists.
    init(directory: URL, environment: [String: String], startTimeout: Double = 60) throws {
        self.directory = directory
        var env = environment
        env["STRONGSWAN_CONF"] = directory.appendingPathComponent("strongswan.conf").path
        let out = directory.appendingPathComponent("charon.out")
        // unshare execs sh, sh execs charon: the child's pid is charon's.
        var command = Command(
            Self.unsharePath,
            ["-m", "--propagation", "private", "/bin/sh", "-c", "mount -t tmpfs -o size=1m tmpfs /run && exec \(Self.charonPath)"],
            environment: env)
        command.standardOutput = .file(out.path)
        daemon = try ChildProcess(command)
        let socket = viciSocket
        let ready = Polling.until(timeout: startTimeout, interval: 0.05) { [daemon] in
            !daemon.isRunning || FileManager.default.fileExists(atPath: socket)
        }
        guard ready && daemon.isRunning else {
            daemon.terminate()
            let output = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            throw ChildProcess.Failure(description: "charon in \(directory.path) did not open its vici socket within \(startTimeout) s: \(output)\(log.suffix(2000))")
        }
    }

    /// Ends charon by its pid (SIGTERM, then SIGKILL after `grace` seconds).
    func stop(grace: Double = 15) { daemon.terminate(grace: grace) }

    var isRunning: Bool { daemon.isRunning }

    /// charon's log so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// swanctl against this charon (its socket and directory).
    func swanctl(_ arguments: [String], timeout: Double = 120) throws -> ChildProcess.Outcome {
        try ChildProcess.run(Command(Self.swanctlPath, arguments + ["--uri", "unix://\(viciSocket)"],
                                     environment: ["SWANCTL_DIR": swanctlDirectory.path]), timeout: timeout)
    }

    /// Loads swanctl.conf, its connections and the credentials it names.
    func loadAll() throws {
        let outcome = try swanctl(["--load-all", "--noprompt", "--file", swanctlDirectory.appendingPathComponent("swanctl.conf").path])
        guard outcome.status == 0 else { throw ChildProcess.Failure(description: "swanctl --load-all for \(directory.lastPathComponent): \(outcome)") }
    }
}
