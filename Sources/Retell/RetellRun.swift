import CryptoFramework
import Foundation
import ProcessSupport

/// The 2007 experiment with strongSwan: negotiations with ncp/0 enabled,
/// `cryptoadm disable provider=ncp/0 all` while the responder keeps running,
/// as many again, then `cryptoadm enable provider=ncp/0 all` and the fast path back.
public enum RetellRun {
    /// One stretch of negotiations under one policy.
    public struct Phase: Sendable {
        public let label: String
        public let negotiations: [NegotiationOutcome]
        /// Responder Phase I seconds from charon's log, one per completed exchange.
        public var responderSeconds: [Double] = []
        /// Retransmitted requests the responder saw in this phase.
        public var retransmits = 0
        /// What each provider served in this phase, by kind of request.
        public let served: [String: [String: Int]]
    }

    public struct Result: Sendable {
        public let options: RetellOptions
        public let phases: [Phase]
        public let responderPID: Int32
        public let initiatorPID: Int32
        /// `ikebench serve` under the same configuration, when this build has it.
        public var serve: ServeComparison.Result?
        public var serveUnavailable: String?
    }

    /// Runs the experiment; `progress` gets a line per step.
    public static func run(_ options: RetellOptions, progress: (String) -> Void = { _ in }) async throws -> Result {
        let pair = try await CharonPair(options)
        defer { pair.stop() }
        if let failure = pair.responderLoadFailure { throw ChildProcess.Failure(description: "the responder's token key did not load: \(failure)") }
        progress("responder charon pid \(pair.responderPID) (pkcs11 plugin on \(options.module), platform t2000, timing \(options.timing.text)); initiator charon pid \(pair.initiatorPID)")
        var phases: [Phase] = []
        var before = try await pair.served(settle: 0)
        func phase(_ label: String, _ count: Int) async throws {
            progress(label)
            var outcomes: [NegotiationOutcome] = []
            for i in 0..<count {
                let outcome = try await pair.negotiate()
                progress(String(format: "  negotiation %d: %@, %.3f s at the initiator", i + 1, outcome.established ? "established" : "FAILED", outcome.initiatorSeconds))
                if !outcome.established { progress(outcome.initiatorOutput) }
                outcomes.append(outcome)
            }
            let after = try await pair.served()
            phases.append(Phase(label: label, negotiations: outcomes, served: difference(after, before)))
            before = after
        }
        try await phase("ncp/0 enabled", options.negotiations)
        progress("cryptoadm disable provider=ncp/0 all   (the responder keeps running)")
        try await pair.cryptoadm(["disable", "provider=ncp/0", "all"])
        try await phase("after cryptoadm disable provider=ncp/0 all", options.negotiations)
        progress("cryptoadm enable provider=ncp/0 all")
        try await pair.cryptoadm(["enable", "provider=ncp/0", "all"])
        try await phase("after cryptoadm enable provider=ncp/0 all", options.negotiationsAfterEnable)

        var serve: ServeComparison.Result?
        var serveUnavailable = await ServeComparison.unavailableReason(ikebench: options.ikebench)
        if serveUnavailable == nil, let ikebench = options.ikebench {
            do {
                serve = try await ServeComparison.run(pair: pair, ikebench: ikebench, negotiations: options.negotiations, progress: progress)
            } catch {
                serveUnavailable = "failed: \(error)"
                progress("ikebench serve: \(error)")
            }
        } else if let serveUnavailable {
            progress("ikebench serve: skipped (\(serveUnavailable))")
        }

        // The responder's log, split among the phases in order of the exchanges.
        var exchanges = pair.responderLog.exchanges[...]
        for i in phases.indices {
            let mine = exchanges.prefix(phases[i].negotiations.count)
            exchanges = exchanges.dropFirst(mine.count)
            phases[i].responderSeconds = mine.compactMap(\.phaseOneSeconds)
            phases[i].retransmits = mine.reduce(0) { $0 + $1.retransmits }
        }
        return Result(options: options, phases: phases, responderPID: pair.responderPID, initiatorPID: pair.initiatorPID,
                      serve: serve, serveUnavailable: serveUnavailable)
    }

    /// Counts served between two readings.
    public static func difference(_ after: [String: [String: Int]], _ before: [String: [String: Int]]) -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for (provider, now) in after {
            let was = before[provider] ?? [:]
            var delta: [String: Int] = [:]
            for (operation, n) in now where n != was[operation, default: 0] { delta[operation] = n - was[operation, default: 0] }
            if !delta.isEmpty { out[provider] = delta }
        }
        return out
    }
}

/// The median of `values` (the mean of the two middle ones for an even count), nil when empty.
func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
