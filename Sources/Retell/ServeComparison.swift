import Foundation
import ProcessSupport

/// The same experiment against `ikebench serve` instead of the
/// responder charon: the same initiator charon, keys, proposal and emulated
/// T2000 (`--platform t2000 --timing timed`), ncp/0 disabled in serve's own kcf.conf
/// half-way. Timed from the initiator's side, the one view both responders share.
public enum ServeComparison {
    public struct Result: Sendable {
        /// Initiator seconds per negotiation with ncp/0, then without.
        public let withNCP: [NegotiationOutcome]
        public let withoutNCP: [NegotiationOutcome]
        public let servePID: Int32
    }

    /// Why this `ikebench` cannot run the comparison (no `serve` subcommand), or nil.
    public static func unavailableReason(ikebench: String?) async -> String? {
        guard let ikebench else { return "no ikebench binary given" }
        // `ikebench serve --help` would print `run`'s help (run is the default
        // subcommand): look for serve among the listed subcommands instead.
        let help = try? await ChildProcess.run(Command(ikebench, ["--help"]), timeout: 30)
        let listsServe = help?.standardOutput.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("serve ") } ?? false
        return listsServe ? nil : "this ikebench has no `serve` subcommand; the comparison needs one"
    }

    /// Starts `ikebench serve` on `pair`'s serve port, runs `negotiations`
    /// with ncp/0 and as many without, and ends serve by its pid.
    static func run(pair: CharonPair, ikebench: String, negotiations: Int, progress: (String) -> Void) async throws -> Result {
        let dir = pair.directory
        let policy = dir.appendingPathComponent("serve-kcf.conf").path
        let log = dir.appendingPathComponent("serve.out")
        // serve trusts the initiator's bare public key: swift-certificates, under
        // serve's --trust, takes no RSA certificate below 2048 bits (Solaris 10's
        // RSA-1024 default), and a bare key is trusted at any size.
        let peerKey = dir.appendingPathComponent("initiator.pub").path
        try await ChildProcess.check(Command(try RetellCredentials.tool("openssl", package: "openssl"),
                                       ["pkey", "-in", dir.appendingPathComponent("initiator.key").path, "-pubout", "-out", peerKey]))
        var command = Command(
            ikebench,
            ["serve", "--address", "127.0.0.1", "--port", String(pair.options.basePort + 4),
             "--key", dir.appendingPathComponent("responder.key").path,
             "--cert", dir.appendingPathComponent("responder.crt").path,
             "--trust", peerKey,
             "--platform", "t2000", "--timing", "timed", "--config", policy])
        command.standardOutput = .file(log.path)
        let serve = try ChildProcess(command)
        defer { serve.terminate(grace: 10) }
        let pid = serve.pid
        // serve says "listening on ADDRESS:PORT" once its socket is bound.
        _ = try await Polling.until(interval: 0.05) {
            !serve.isRunning || ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("listening on ")
        }
        guard serve.isRunning else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw ChildProcess.Failure(description: "ikebench serve exited: \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        progress("ikebench serve pid \(pid) on port \(pair.options.basePort + 4), platform t2000 --timing timed")
        func stretch(_ label: String) async throws -> [NegotiationOutcome] {
            progress(label)
            var outcomes: [NegotiationOutcome] = []
            for i in 0..<negotiations {
                let outcome = try await pair.negotiate(connection: CharonPair.serveConnection)
                progress(String(format: "  negotiation %d: %@, %.3f s at the initiator", i + 1, outcome.established ? "established" : "FAILED", outcome.initiatorSeconds))
                outcomes.append(outcome)
            }
            return outcomes
        }
        let with = try await stretch("ikebench serve, ncp/0 enabled")
        try await ChildProcess.check(Command(pair.options.cryptoadm, ["disable", "provider=ncp/0", "all", "--config", policy]))
        let without = try await stretch("ikebench serve, after cryptoadm disable provider=ncp/0 all")
        return Result(withNCP: with, withoutNCP: without, servePID: pid)
    }
}
