import Charon
import CryptoFramework
import Foundation
import ProcessSupport
import Providers

/// The responder charon on the framework's PKCS#11 token and the ordinary
/// initiator charon, set up and running; negotiations one at a time; the
/// responder's served counts read from its published kstats; both ended by
/// pid in ``stop()``.
public final class CharonPair: @unchecked Sendable {  // used from one task at a time; the daemons guard their own stop
    /// The connection both charons use.
    public static let connection = "retell"
    /// The initiator's connection to `ikebench serve`.
    public static let serveConnection = "retell-serve"

    /// Plugins in load order: pkcs11 first, so that with use_dh / use_pubkey /
    /// use_rng it is asked before openssl for DH, public keys and random
    /// numbers; pkcs1 before openssl, or openssl parses the peer's key and the
    /// token never sees it (strongSwan 5.9.8's plugin order, seen when this was written).
    static let initiatorPlugins = ["random", "nonce", "pkcs1", "pkcs8", "pem", "x509", "pubkey", "openssl", "revocation",
                                   "constraints", "hmac", "sha1", "sha2", "kernel-netlink", "socket-default", "vici"]
    static let responderPlugins = ["pkcs11"] + initiatorPlugins

    public let options: RetellOptions
    public let directory: URL
    private let removeDirectory: Bool
    let responder: CharonDaemon
    let initiator: CharonDaemon
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
    public init(_ options: RetellOptions) async throws {
        if let missing = CharonDaemon.missingPrerequisite(plugins: ["pkcs11"]) { throw ChildProcess.Failure(description: missing) }
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
        try fm.createDirectory(at: directory.appendingPathComponent("keystore"), withIntermediateDirectories: true)

        var credentials = RetellCredentials(directory: directory, rsaBits: options.rsaBits)
        try await credentials.make()
        var moduleEnvironment = options.moduleEnvironment
        if options.moduleIsFramework {
            moduleEnvironment[FrameworkEnvironment.keystore.name] = directory.appendingPathComponent("keystore").path
            moduleEnvironment[FrameworkEnvironment.conf.name] = directory.appendingPathComponent("kcf.conf").path
        }
        try await credentials.writeToToken(module: options.module, environment: moduleEnvironment)
        keystoreAfterSetup = Self.snapshot(directory.appendingPathComponent("keystore"))
        var environment = moduleEnvironment
        if options.moduleIsFramework {
            environment[FrameworkEnvironment.platform.name] = Platform.t2000.name
            environment[FrameworkEnvironment.timing.name] = options.timing.text
            environment[FrameworkEnvironment.kstatDirectory.name] = directory.appendingPathComponent("kstat").path
            if let penalty = options.fpTrapPenalty { environment[FrameworkEnvironment.fpTrapPenalty.name] = String(penalty) }
        }
        responderEnvironment = environment

        let responderPort = options.basePort, initiatorPort = options.basePort + 2, servePort = options.basePort + 4
        let certificates = [
            "x509/responder.crt": try String(contentsOf: credentials.responderCertificate, encoding: .utf8),
            "x509/initiator.crt": try String(contentsOf: credentials.initiatorCertificate, encoding: .utf8),
        ]
        func connection(_ name: String, localPort: Int, remotePort: Int, local: String, remote: String) -> CharonConnection {
            var c = CharonConnection(name: name, proposal: options.proposal, localCertificate: local, remoteCertificate: remote)
            c.localPort = localPort
            c.remotePort = remotePort
            return c
        }
        var responderSettings = CharonSettings(ikePort: responderPort, plugins: Self.responderPlugins)
        responderSettings.pkcs11Module = options.module
        var responderConf = SwanctlConf([connection(Self.connection, localPort: responderPort, remotePort: initiatorPort,
                                                    local: "responder.crt", remote: "initiator.crt")])
        responderConf.tokenKeys = [.init(keyID: credentials.responderKeyID, pin: options.responderPIN)]
        var initiatorSettings = CharonSettings(ikePort: initiatorPort, plugins: Self.initiatorPlugins)
        initiatorSettings.retransmitTimeout = options.initiatorRetransmitTimeout
        initiatorSettings.retransmitTries = 2
        let initiatorConf = SwanctlConf([
            connection(Self.connection, localPort: initiatorPort, remotePort: responderPort, local: "initiator.crt", remote: "responder.crt"),
            connection(Self.serveConnection, localPort: initiatorPort, remotePort: servePort, local: "initiator.crt", remote: "responder.crt"),
        ])
        let initiatorKey = try String(contentsOf: credentials.initiatorKey, encoding: .utf8)

        responder = try await CharonDaemon.start(
            in: directory.appendingPathComponent("responder"), settings: responderSettings, swanctlConf: responderConf,
            files: certificates, environment: environment)
        do {
            initiator = try await CharonDaemon.start(
                in: directory.appendingPathComponent("initiator"), settings: initiatorSettings, swanctlConf: initiatorConf,
                files: certificates.merging(["private/initiator.key": initiatorKey]) { $1 })
        } catch {
            responder.stop()
            throw error
        }
        do {
            try await initiator.loadAll()
            do {
                try await responder.loadAll()
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
    public func negotiate(connection: String = CharonPair.connection) async throws -> NegotiationOutcome {
        let start = MonotonicClock.nanoseconds()
        let outcome = try await initiator.initiate(ike: connection, timeout: Int(max(60, options.initiatorRetransmitTimeout * 3)))
        let seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        let established = outcome.status == 0 && outcome.standardOutput.contains("IKE_SA \(connection)[")
            && outcome.standardOutput.contains("] established between")
        _ = try await initiator.terminate(ike: connection)
        return NegotiationOutcome(established: established, initiatorSeconds: seconds, initiatorOutput: outcome.standardOutput)
    }

    /// Runs `cryptoadm ARGUMENTS --config` on the responder's policy file.
    public func cryptoadm(_ arguments: [String]) async throws {
        try await ChildProcess.check(Command(options.cryptoadm, arguments + ["--config", policyFile.path]))
    }

    /// What each provider of the responder's framework has served so far, by
    /// kind of request (``ServedOperation``), from the kstats charon's module
    /// publishes; waits `settle` seconds first for the publisher's trailing write.
    public func served(settle: Double = 0.5) async throws -> [String: [String: Int]] {
        guard options.moduleIsFramework else { return [:] }  // another module publishes no kstats
        try await Task.sleep(nanoseconds: UInt64(settle * 1e9))
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
    /// Seconds of `swanctl --initiate` (monotonic clock): the initiator's view of Phase I.
    public let initiatorSeconds: Double
    public let initiatorOutput: String
}
