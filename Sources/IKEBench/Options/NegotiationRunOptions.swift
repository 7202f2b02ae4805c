import ArgumentParser
import Foundation

/// `--negotiations N`: how many negotiations a command runs. Unset, each
/// command says its own number (run 200, compare 40, report 100, retell 5;
/// serve answers until stopped).
struct NegotiationCountOption: ParsableArguments {
    @Option(help: ArgumentHelp("Negotiations to run (compare, report, retell: per side, with ncp/0 and again without it).", valueName: "count"))
    var negotiations: Int?

    func validate() throws {
        if let negotiations, negotiations < 1 { throw ValidationError("--negotiations must be at least 1") }
    }
}

/// How long a run of negotiations lasts, and whether each one is traced: the
/// options `run`, `compare` and `serve` share.
struct NegotiationRunOptions: ParsableArguments {
    @OptionGroup var count: NegotiationCountOption

    @Option(help: ArgumentHelp("Run for this many seconds instead of a number of negotiations.", valueName: "seconds"))
    var duration: Double?

    @Flag(help: "Print DTrace-style lines for every negotiation, as the 2007 script did.")
    var trace = false

    func validate() throws {
        if let duration, !(duration > 0 && duration <= 86_400) { throw ValidationError("--duration must be in (0, 86400] seconds") }
    }

    var negotiations: Int? { count.negotiations }

    /// Where --trace lines go: stdout, or stderr when stdout carries JSON.
    func traceWriter(json: Bool) -> @Sendable (String) -> Void {
        let handle: FileHandle = json ? .standardError : .standardOutput
        return { line in handle.write(Data((line + "\n").utf8)) }
    }
}
