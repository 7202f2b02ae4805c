import ArgumentParser
import Foundation
import IKEProtocol
import IKEHarness

/// Defaults that match the 2007 experiment (docs/retelling-2007.md): Solaris 10's
/// in.iked Phase I defaults — 3DES, SHA-1, Oakley group 2 — and the 1024-bit
/// RSA keys `ikecert certlocal` made by default.
enum Defaults2007 {
    static let rsaBits = 1024
    static let group = 2
    static let prf = "sha1"
    static let cipher = "3des"
    static let rttSeconds = 0.0
}

/// The options `run` and `compare` share: what one negotiation is and how a run is made.
struct WorkloadOptions: ParsableArguments {
    @OptionGroup var negotiated: NegotiatedSuiteOptions
    @OptionGroup var run: NegotiationRunOptions

    @Option(help: "Negotiations in flight at once (tasks). `run` also takes a list (`1,2,4`): one run per level, then a scaling table.")
    var concurrency: ConcurrencyLevels = ConcurrencyLevels(levels: [1])

    @Option(help: "Modeled network round trip in seconds, added twice to modeled Phase I.")
    var rtt: Double = Defaults2007.rttSeconds

    @Option(help: "Modeled Phase I time outside the cryptography (in.iked, kernel) in seconds, added once to modeled Phase I. Default: 0 for run; for compare, what the 2007 with-ncp figure implies (165 ms minus the modeled cryptography with ncp).")
    var overhead: Double?

    func validate() throws {
        guard concurrency.levels.allSatisfy({ (1...1024).contains($0) }) else {
            throw ValidationError("--concurrency must be 1...1024 (or a comma-separated list of such)")
        }
        guard rtt >= 0, rtt < 60 else { throw ValidationError("--rtt must be in [0, 60) seconds") }
        if let overhead, !(overhead >= 0 && overhead < 3600) { throw ValidationError("--overhead must be in [0, 3600) seconds") }
    }

    var prf: String { negotiated.prf }
    var cipher: String { negotiated.cipher }

    /// The workload, at `level` or else the first (or only) --concurrency level.
    func workload(
        suite: IKESuite, rsaBits: Int, overhead: Double, defaultNegotiations: Int, concurrency level: Int? = nil
    ) -> PhaseOneWorkload {
        PhaseOneWorkload(
            suite: suite, rsaBits: rsaBits,
            negotiations: run.negotiations ?? (run.duration == nil ? defaultNegotiations : nil),
            durationSeconds: run.duration, concurrency: level ?? concurrency.levels[0], rttSeconds: rtt, overheadSeconds: overhead,
            trace: run.trace)
    }
}

/// `--concurrency 2` or `--concurrency 1,2,4`.
struct ConcurrencyLevels: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let levels: [Int]

    init(levels: [Int]) { self.levels = levels }

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.count == parts.count else { return nil }
        levels = values
    }

    var description: String { levels.map(String.init).joined(separator: ",") }
    var defaultValueDescription: String { description }
}
