import Charon
import Foundation

extension CharonSettings {
    /// A test charon on `ikePort`: only the plugins pubkey/X.509 IKEv1 needs (and kdf, for IKEv2's prf+),
    /// few retransmissions, IKE at log level 2.
    public static func test(ikePort: Int) -> CharonSettings {
        var settings = CharonSettings(ikePort: ikePort, plugins: [
            "random", "nonce", "openssl", "pem", "pkcs1", "pkcs8", "x509", "pubkey", "hmac", "kdf", "kernel-netlink", "socket-default", "vici",
        ])
        settings.retransmitTimeout = 2
        settings.retransmitTries = 3
        settings.logLevels = ["default": 1, "ike": 2]
        return settings
    }
}

extension CharonDaemon {
    /// A charon for a test, with ``CharonSettings/test(ikePort:)``, in a new
    /// temporary directory (``removeFiles()`` ends it and removes the directory).
    ///
    ///     let charon = try await CharonDaemon.start(swanctlConf: conf, files: ["x509/peer.crt": pem], ikePort: 21500)
    ///     defer { charon.removeFiles() }
    ///     try await charon.loadAll()
    ///     let outcome = try await charon.initiate(ike: "c1")
    public static func start(name: String = "charon", swanctlConf: SwanctlConf, files: [String: String] = [:],
                             ikePort: Int) async throws -> CharonDaemon {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        return try await start(in: directory, settings: .test(ikePort: ikePort), swanctlConf: swanctlConf, files: files)
    }
}
