import CryptoFramework
import Foundation
import ProcessSupport
import Retell
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// strongSwan's charon with its pkcs11 plugin, the responder's private key on
/// a token: first on SoftHSM2 (the set-up itself), then on the framework's
/// module with ncp/0 switched off while the responder runs (docs/retelling-2007.md).
/// Every charon runs with its own configuration, vici socket and private /run,
/// and is ended by its pid.
@Suite("charon on a PKCS#11 token", .serialized)
struct CharonOnTokenTests {
    /// Both charons were ended by ``CharonPair/stop()``: neither pid is alive.
    static func expectEnded(_ pair: CharonPair) {
        pair.stop()
        for pid in [pair.responderPID, pair.initiatorPID] {
            #expect(kill(pid, 0) != 0 && errno == ESRCH, "charon pid \(pid) still exists")
        }
    }

    @Test("SoftHSM2: a responder whose key is on the token completes Main Mode with an ordinary initiator")
    func softHSM() async throws {
        if let missing = RetellModule.charonMissing { Issue.record(Comment(rawValue: missing)); return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cf-retell-softhsm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("tokens"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let conf = dir.appendingPathComponent("softhsm2.conf")
        try "directories.tokendir = \(dir.appendingPathComponent("tokens").path)\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(to: conf, atomically: true, encoding: .utf8)
        var options = RetellOptions(module: "/usr/lib/softhsm/libsofthsm2.so", cryptoadm: RetellModule.cryptoadmPath)
        options.moduleIsFramework = false
        options.moduleEnvironment = ["SOFTHSM2_CONF": conf.path]
        let pair = try await CharonPair(options)
        defer { Self.expectEnded(pair) }
        #expect(pair.responderLoadFailure == nil)
        let outcome = try await pair.negotiate()
        #expect(outcome.established, "\(outcome.initiatorOutput)\n\(pair.responderLogText.suffix(3000))")
        #expect(pair.responderLog.exchanges.first?.established == true)
        #expect(pair.responderLogText.contains("loaded RSA private key from token"))
    }

    /// The smallest configuration that still shows the switch: RSA-1024,
    /// group 2, timed at a hundredth of modeled time (sparcfp's Phase I is
    /// ~0.25 s modeled: a few ms of holds).
    static func switchOptions() -> RetellOptions {
        var options = RetellOptions(module: RetellModule.modulePath, cryptoadm: RetellModule.cryptoadmPath)
        options.rsaBits = 1024
        options.proposal = "3des-sha1-modp1024"
        options.timing = .timed(scale: 0.01)
        options.initiatorRetransmitTimeout = 60
        return options
    }

    @Test("Framework module: before the disable ncp/0 serves the four operations, after it sparcfp; both IKE SAs established, no restart")
    func ncpSwitchedOff() async throws {
        if let missing = RetellModule.charonMissing { Issue.record(Comment(rawValue: missing)); return }
        try #require(RetellModule.isBuilt, "\(RetellModule.modulePath) is missing: swift build --product CryptoFrameworkPKCS11")
        let pair = try await CharonPair(Self.switchOptions())
        defer { Self.expectEnded(pair) }
        #expect(pair.responderLoadFailure == nil, "\(pair.responderLoadFailure ?? "")")
        let operations = ["sign", "verify", "generateDHKeyPair", "deriveDH"]

        let base = try await pair.served(settle: 0)
        let before = try await pair.negotiate()
        #expect(before.established, "\(before.initiatorOutput)\n\(pair.responderLogText.suffix(3000))")
        let withNCP = try await Self.servedSince(base, pair) { $0["ncp/0"]?["deriveDH"] == 1 && $0["ncp/0"]?["sign"] == 1 }
        for operation in ["sign", "generateDHKeyPair", "deriveDH"] {
            #expect(withNCP["ncp/0"]?[operation] == 1, "\(operation): \(withNCP)")
        }
        // ncp/0 verifies more than once: charon also checks the certificates'
        // sha256WithRSA signatures (CKM_SHA256_RSA_PKCS), which ncp/0 does not offer
        // whole but serves composed with sparcfp's SHA-256 (Selection rule 6).
        #expect((withNCP["ncp/0"]?["verify"] ?? 0) >= 1, "verify: \(withNCP)")
        for operation in operations {
            #expect(withNCP["sparcfp"]?[operation] == nil, "\(operation): \(withNCP)")
        }

        try await pair.cryptoadm(["disable", "provider=ncp/0", "all"])
        let middle = try await pair.served(settle: 0)
        let after = try await pair.negotiate()
        #expect(after.established, "\(after.initiatorOutput)\n\(pair.responderLogText.suffix(3000))")
        let withoutNCP = try await Self.servedSince(middle, pair) { $0["sparcfp"]?["deriveDH"] == 1 && $0["sparcfp"]?["sign"] == 1 && $0["sparcfp"]?["verify"] != nil }
        for operation in operations {
            #expect((withoutNCP["sparcfp"]?[operation] ?? 0) >= 1, "\(operation): \(withoutNCP)")
        }
        #expect(withoutNCP["ncp/0"] == nil, "ncp/0 served after the disable: \(withoutNCP)")

        let exchanges = pair.responderLog.exchanges
        #expect(exchanges.filter(\.established).count == 2, "\(exchanges)")
        #expect(pair.isRunning)
    }

    /// What the responder served since `base`, polled until `done` holds (bounded, generous): the
    /// module publishes its kstats with a trailing write after the last change.
    static func servedSince(_ base: [String: [String: Int]], _ pair: CharonPair,
                            until done: ([String: [String: Int]]) -> Bool) async throws -> [String: [String: Int]] {
        var delta: [String: [String: Int]] = [:]
        _ = try await Polling.until(interval: 0.25) {
            delta = RetellRun.difference(try await pair.served(settle: 0), base)
            return done(delta)
        }
        return delta
    }

    @Test("Framework module: a wrong PIN in charon's secrets fails the negotiation cleanly and leaves the keystore untouched")
    func wrongPIN() async throws {
        if let missing = RetellModule.charonMissing { Issue.record(Comment(rawValue: missing)); return }
        try #require(RetellModule.isBuilt, "\(RetellModule.modulePath) is missing: swift build --product CryptoFrameworkPKCS11")
        var options = Self.switchOptions()
        options.responderPIN = "9999"
        let pair = try await CharonPair(options)
        defer { Self.expectEnded(pair) }
        #expect(!pair.keystoreAfterSetup.isEmpty)
        // swanctl --load-all exits 0 even so; charon logs the refused login and loads no key.
        #expect(pair.responderLogText.contains("failed: PIN_INCORRECT"), "\(pair.responderLogText.suffix(3000))")
        #expect(!pair.responderLogText.contains("loaded RSA private key from token"))
        let outcome = try await pair.negotiate()
        #expect(!outcome.established, "\(outcome.initiatorOutput)")
        // The responder has no key to sign message 6 with: it refuses with a Notify, and keeps running.
        #expect(outcome.initiatorOutput.contains("AUTHENTICATION_FAILED"), "\(outcome.initiatorOutput)")
        #expect(pair.isRunning, "charon died on a wrong PIN")
        #expect(pair.keystoreNow == pair.keystoreAfterSetup)
    }
}
