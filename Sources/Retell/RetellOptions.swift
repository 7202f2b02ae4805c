import Foundation
import Charon
import Providers

/// How the 2007 experiment is rerun with strongSwan.
public struct RetellOptions: Sendable {
    /// Negotiations with ncp/0 enabled, and again after it is disabled.
    public var negotiations = 5
    /// Negotiations after `cryptoadm enable provider=ncp/0 all`, showing the fast path back.
    public var negotiationsAfterEnable = 1
    /// The responder's RSA modulus (the token key) and the initiator's. With
    /// group 14 and charon's full-length DH private values, the configuration
    /// that explains both 2007 figures without a trap penalty (`ikebench calibrate`).
    public var rsaBits = 2048
    /// strongSwan's IKE proposal: in.iked's 3DES/SHA-1, with Oakley group 14 (see ``rsaBits``).
    public var proposal = "3des-sha1-modp2048"
    /// The emulated T2000's timing inside charon (``FrameworkEnvironment/timing``).
    public var timing: EmulatedTiming = .timed(scale: 1)
    /// sparcfp's FP trap penalty in cycles (``FrameworkEnvironment/fpTrapPenalty``), nil for the published latencies.
    public var fpTrapPenalty: Double?
    /// The PKCS#11 module charon loads: the framework's libCryptoFrameworkPKCS11.so.
    public var module: String
    /// Extra environment for the module (e.g. SOFTHSM2_CONF when trying the set-up on SoftHSM2).
    public var moduleEnvironment: [String: String] = [:]
    /// Whether the module is the framework's (kcf.conf, kstats and ncp/0 apply); false for another module.
    public var moduleIsFramework = true
    /// The PIN written into the responder's swanctl secrets (the token's is ``RetellCredentials/userPIN``).
    public var responderPIN = RetellCredentials.userPIN
    /// The `cryptoadm` that switches ncp/0 off and on.
    public var cryptoadm: String
    /// The initiator's first retransmission timeout: longer than a timed Phase I
    /// without ncp/0 so that charon does not retransmit (retransmissions that
    /// still happen are counted from the responder's log).
    public var initiatorRetransmitTimeout = 120.0
    /// The `ikebench` whose `serve` runs the same configuration, when it has that subcommand.
    public var ikebench: String?
    /// Where the charons' files go; nil: a new temporary directory, removed afterwards.
    public var workDirectory: URL?
    /// Ports: the responder uses `basePort` and `basePort + 1`, the initiator the next two, `ikebench serve` `basePort + 4`;
    /// by default five free below the ephemeral range (``CharonPorts``), where before they were drawn from 40000–60000,
    /// ports any socket bound to port 0 may hold.
    public var basePort = CharonPorts.freeRun(5) ?? CharonPorts.range.lowerBound + 2 * Int.random(in: 0..<6_000)

    public init(module: String, cryptoadm: String) {
        self.module = module
        self.cryptoadm = cryptoadm
    }

    /// The DH group the proposal names, e.g. "modp1024" → 1024 bits (for the report).
    var groupName: String { proposal.split(separator: "-").last.map(String.init) ?? "?" }
}
