import Foundation

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
public final class CharonDaemon: @unchecked Sendable {  // pid and process are set in init; stop() is idempotent behind `lock`
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
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

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

        // unshare execs sh, sh execs charon: the pid Process reports is charon's.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.unsharePath)
        p.arguments = ["-m", "--propagation", "private", "/bin/sh", "-c",
                       "mount -t tmpfs -o size=1m tmpfs /run && exec \(Self.charonPath)"]
        var env = ProcessInfo.processInfo.environment
        env["STRONGSWAN_CONF"] = confPath.path
        p.environment = env
        let out = directory.appendingPathComponent("charon.out")
        fm.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        process = p
        pid = p.processIdentifier

        let deadline = Date().addingTimeInterval(startTimeout)
        while !fm.fileExists(atPath: viciSocket) {
            guard p.isRunning, Date() < deadline else {
                stop()
                let output = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
                throw StartError(description: "charon did not open its vici socket within \(startTimeout) s: \(output)")
            }
            usleep(50_000)
        }
    }

    deinit { stop() }

    /// Ends charon by its pid: SIGTERM, then SIGKILL if it is still there after `grace` seconds.
    public func stop(grace: Double = 10) {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
    }

    public var isRunning: Bool { process.isRunning }

    /// charon's log so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Runs swanctl against this charon (its socket, its swanctl directory), killed after `timeout` seconds.
    @discardableResult
    public func swanctl(_ arguments: [String], timeout: Double = 60) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.swanctlPath)
        p.arguments = arguments + ["--uri", "unix://\(viciSocket)"]
        var env = ProcessInfo.processInfo.environment
        env["SWANCTL_DIR"] = swanctlDirectory.path
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let swanctlPid = p.processIdentifier
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler { kill(swanctlPid, SIGKILL) }
        timer.resume()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        timer.cancel()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
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
