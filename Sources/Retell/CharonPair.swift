import CryptoFramework
import Foundation
import ProcessSupport
import Providers

/// The responder charon on the framework's PKCS#11 token and the ordinary
/// initiator charon, set up and running; negotiations one at a time; the
/// responder's served counts read from its published kstats; both ended by
/// pid in ``stop()``.
public final class CharonPair: @unchecked Sendable {  // used from one thread at a time; the daemons guard their own stop
    public let options: RetellOptions
    public let directory: URL
    private let removeDirectory: Bool
    let responder: CharonDaemonProcess
    let initiator: CharonDaemonProcess
    /// Environment of the responder charon: what the module reads.
    public let responderEnvironment: [String: String]

    public var responderPID: Int32 { responder.pid }
    public var initiatorPID: Int32 { initiator.pid }
    public var policyFile: URL { directory.appendingPathComponent("kcf.conf") }
    public var keystore: URL { directory.appendingPathComponent("keystore") }
    public var kstatDirectory: URL { directory.appendingPathComponent("kstat") }
    /// Every keystore file's bytes once the token was written, before charon started.
    public let keystoreAfterSetup: [String: [UInt8]]
    /// Why loading the responder's credentials failed (e.g. a wrong PIN), or nil.
    public private(set) var responderLoadFailure: String?

    /// Makes keys and certificates, writes the responder's to the module's
    /// token, starts both charons and loads their configurations.
    public init(_ options: RetellOptions) throws {
        guard getuid() == 0 else {
            throw ChildProcess.Failure(description: "the charons need root: unshare -m and a tmpfs over /run give each a private /run")
        }
        for path in [CharonDaemonProcess.charonPath, CharonDaemonProcess.swanctlPath, CharonDaemonProcess.unsharePath]
        where !FileManager.default.isExecutableFile(atPath: path) {
            throw ChildProcess.Failure(description: "\(path) is missing: `sudo apt-get install -y strongswan-charon strongswan-swanctl libstrongswan-extra-plugins` (or `make deps` as root)")
        }
        guard FileManager.default.fileExists(atPath: options.module) else {
            throw ChildProcess.Failure(description: "the PKCS#11 module \(options.module) does not exist: `swift build -c release --product CryptoFrameworkPKCS11`")
        }
        self.options = options
        let fm = FileManager.default
        if let work = options.workDirectory {
            directory = work
            removeDirectory = false
        } else {
            directory = fm.temporaryDirectory.appendingPathComponent("cf-retell-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            removeDirectory = true
        }
        let responderDirectory = directory.appendingPathComponent("responder")
        let initiatorDirectory = directory.appendingPathComponent("initiator")
        for side in [responderDirectory, initiatorDirectory] {
            for sub in ["x509", "private"] {
                try fm.createDirectory(at: side.appendingPathComponent("swanctl/\(sub)"), withIntermediateDirectories: true)
            }
        }
        try fm.createDirectory(at: directory.appendingPathComponent("keystore"), withIntermediateDirectories: true)

        var credentials = RetellCredentials(directory: directory, rsaBits: options.rsaBits)
        try credentials.make()
        var moduleEnvironment = options.moduleEnvironment
        if options.moduleIsFramework {
            moduleEnvironment["CRYPTOFRAMEWORK_KEYSTORE"] = directory.appendingPathComponent("keystore").path
            moduleEnvironment["CRYPTOFRAMEWORK_CONF"] = directory.appendingPathComponent("kcf.conf").path
        }
        try credentials.writeToToken(module: options.module, environment: moduleEnvironment)
        keystoreAfterSetup = Self.snapshot(directory.appendingPathComponent("keystore"))
        var environment = moduleEnvironment
        if options.moduleIsFramework {
            environment["CRYPTOFRAMEWORK_PLATFORM"] = "t2000"
            environment["CRYPTOFRAMEWORK_TIMING"] = options.timing.environmentValue
            environment["CRYPTOFRAMEWORK_KSTAT_DIR"] = directory.appendingPathComponent("kstat").path
            if let penalty = options.fpTrapPenalty { environment["CRYPTOFRAMEWORK_FP_TRAP_PENALTY"] = String(penalty) }
        }
        responderEnvironment = environment

        let responderPort = options.basePort, initiatorPort = options.basePort + 2, servePort = options.basePort + 4
        for side in [responderDirectory, initiatorDirectory] {
            for file in [credentials.responderCertificate, credentials.initiatorCertificate] {
                try fm.copyItem(at: file, to: side.appendingPathComponent("swanctl/x509/\(file.lastPathComponent)"))
            }
        }
        try fm.copyItem(at: credentials.initiatorKey, to: initiatorDirectory.appendingPathComponent("swanctl/private/initiator.key"))
        try CharonConfiguration.strongswanConf(
            directory: responderDirectory, ikePort: responderPort, plugins: CharonConfiguration.responderPlugins,
            retransmitTimeout: 4, retransmitTries: 5, pkcs11Module: options.module
        ).write(to: responderDirectory.appendingPathComponent("strongswan.conf"), atomically: true, encoding: .utf8)
        try CharonConfiguration.swanctlConf(
            localPort: responderPort, peers: [(CharonConfiguration.connection, initiatorPort)], proposal: options.proposal,
            localCert: "responder.crt", remoteCert: "initiator.crt",
            secrets: CharonConfiguration.tokenSecret(keyID: credentials.responderKeyID, pin: options.responderPIN)
        ).write(to: responderDirectory.appendingPathComponent("swanctl/swanctl.conf"), atomically: true, encoding: .utf8)
        try CharonConfiguration.strongswanConf(
            directory: initiatorDirectory, ikePort: initiatorPort, plugins: CharonConfiguration.initiatorPlugins,
            retransmitTimeout: options.initiatorRetransmitTimeout, retransmitTries: 2, pkcs11Module: nil
        ).write(to: initiatorDirectory.appendingPathComponent("strongswan.conf"), atomically: true, encoding: .utf8)
        try CharonConfiguration.swanctlConf(
            localPort: initiatorPort,
            peers: [(CharonConfiguration.connection, responderPort), (CharonConfiguration.serveConnection, servePort)],
            proposal: options.proposal,
            localCert: "initiator.crt", remoteCert: "responder.crt", secrets: ""
        ).write(to: initiatorDirectory.appendingPathComponent("swanctl/swanctl.conf"), atomically: true, encoding: .utf8)

        responder = try CharonDaemonProcess(directory: responderDirectory, environment: environment)
        do {
            initiator = try CharonDaemonProcess(directory: initiatorDirectory, environment: [:])
        } catch {
            responder.stop()
            throw error
        }
        do {
            try initiator.loadAll()
            do {
                try responder.loadAll()
            } catch let failure as ChildProcess.Failure {
                responderLoadFailure = failure.description
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// One Main Mode negotiation initiated by the initiator, then its IKE SA
    /// deleted (charon would otherwise reuse it for the next initiate).
    public func negotiate(connection: String = CharonConfiguration.connection) throws -> NegotiationOutcome {
        let start = Date()
        let timeout = Int(max(60, options.initiatorRetransmitTimeout * 3))
        let outcome = try initiator.swanctl(["--initiate", "--ike", connection, "--timeout", String(timeout)],
                                            timeout: Double(timeout) + 30)
        let seconds = Date().timeIntervalSince(start)
        let established = outcome.status == 0 && outcome.standardOutput.contains("IKE_SA \(connection)[")
            && outcome.standardOutput.contains("] established between")
        _ = try initiator.swanctl(["--terminate", "--ike", connection, "--timeout", "30"], timeout: 60)
        return NegotiationOutcome(established: established, initiatorSeconds: seconds, initiatorOutput: outcome.standardOutput)
    }

    /// Runs `cryptoadm ARGUMENTS --config` on the responder's policy file.
    public func cryptoadm(_ arguments: [String]) throws {
        try ChildProcess.check(Command(options.cryptoadm, arguments + ["--config", policyFile.path]))
    }

    /// What each provider of the responder's framework has served so far, by
    /// kind of request (``ServedOperation``), from the kstats charon's module
    /// publishes; waits `settle` seconds first for the publisher's trailing write.
    public func served(settle: Double = 0.5) throws -> [String: [String: Int]] {
        guard options.moduleIsFramework else { return [:] }  // another module publishes no kstats
        usleep(UInt32(settle * 1e6))
        let documents = try KstatDirectory.read(kstatDirectory).filter { $0.pid == responder.pid }
        guard let document = documents.first else {
            throw ChildProcess.Failure(description: "charon (pid \(responder.pid)) has published no kstats in \(kstatDirectory.path)")
        }
        return Dictionary(uniqueKeysWithValues: document.providers.map { ($0.name, $0.stats.served) })
    }

    /// Every file under `keystore` (relative path → bytes): the module's token objects.
    public var keystoreNow: [String: [UInt8]] { Self.snapshot(keystore) }

    static func snapshot(_ directory: URL) -> [String: [UInt8]] {
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else { return [:] }
        var files: [String: [UInt8]] = [:]
        for case let relative as String in walker {
            if let data = FileManager.default.contents(atPath: directory.appendingPathComponent(relative).path) {
                files[relative] = [UInt8](data)
            }
        }
        return files
    }

    /// The responder's log, parsed into Phase I exchanges.
    public var responderLog: ResponderLog { ResponderLog(responder.log) }
    /// The responder's raw log (for a failure's message).
    public var responderLogText: String { responder.log }

    /// Ends both charons by pid, then removes the temporary directory if it made one.
    public func stop() {
        initiator.stop()
        responder.stop()
        if removeDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Whether either charon is still running.
    public var isRunning: Bool { initiator.isRunning || responder.isRunning }
}

/// One negotiation as the initiator saw it.
public struct NegotiationOutcome: Sendable {
    /// strongSwan reported the IKE SA established.
    public let established: Bool
    /// Wall-clock seconds of `swanctl --initiate`: the initiator's view of Phase I.
    public let initiatorSeconds: Double
    public let initiatorOutput: String
}

extension EmulatedTiming {
    /// The CRYPTOFRAMEWORK_TIMING value that selects this timing.
    var environmentValue: String {
        switch self {
        case .fast: "fast"
        case .timed(let scale): "timed:\(scale)"
        }
    }
}
