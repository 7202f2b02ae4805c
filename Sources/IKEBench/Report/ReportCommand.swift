import ArgumentParser
import CommandLineOptions
import Charts
import Foundation
import ProcessSupport

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Run a short compare and speed and write one self-contained HTML page of their charts and tables.",
        discussion: """
            Runs this ikebench as `ikebench compare --json --svg ...` and `ikebench speed --json --svg ...` \
            (short runs by default, so the page takes about half a minute), then writes DIR/index.html with \
            the charts inline, the tables, and the exact commands that made them. Each command's JSON and SVG \
            are kept beside the page (compare.json, compare.svg, speed.json, speed.svg).

            Both runs use --config when it is given; the compare run makes --negotiations negotiations \
            per side (default \(Self.defaultNegotiations)).

            Example:
              ikebench report --html /tmp/ikebench-report
              ikebench report --html out --negotiations 500 --speed-seconds 1 --vs-openssl
            """)

    @Option(help: ArgumentHelp("Directory to write index.html (and the JSON and SVG of each command) into; created if missing.", valueName: "dir"))
    var html: String

    @OptionGroup var count: NegotiationCountOption

    @Option(name: .customLong("speed-seconds"), help: "Seconds per measurement of the speed run.")
    var speedSeconds: Double = 0.25

    @Flag(name: .customLong("vs-openssl"), help: "Also run `openssl speed` (one round) beside the speed figures.")
    var vsOpenSSL = false

    @OptionGroup var policy: PolicyFileOption

    /// Negotiations per side of the compare run when --negotiations is not given.
    static let defaultNegotiations = 100

    var negotiations: Int { count.negotiations ?? Self.defaultNegotiations }

    func validate() throws {
        guard (1...100_000).contains(negotiations) else { throw ValidationError("--negotiations must be 1...100000") }
        guard speedSeconds > 0, speedSeconds <= 60 else { throw ValidationError("--speed-seconds must be in (0, 60]") }
    }

    func run() throws {
        let dir = URL(fileURLWithPath: html)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw OutputFileError(path: html, reason: error.localizedDescription)
        }
        let compare = try ReportStep.run(
            name: "compare", in: dir,
            arguments: ["compare", "--negotiations", String(negotiations)] + policy.arguments)
        let speed = try ReportStep.run(
            name: "speed", in: dir,
            arguments: ["speed", "--seconds", ValueFormat.compact(speedSeconds), "--rsa-bits", "1024", "2048", "--group", "2", "14"]
                + (vsOpenSSL ? ["--vs-openssl", "--rounds", "1"] : []) + policy.arguments)
        let page = try HTMLReport(compare: compare, speed: speed, date: Date()).page()
        let index = dir.appendingPathComponent("index.html")
        try Data(page.utf8).write(to: index, options: .atomic)
        print("wrote \(index.path)")
    }
}

/// One command of the report, run as a child `ikebench`: what it printed as
/// JSON and the chart it wrote.
struct ReportStep {
    let command: String
    let json: Data
    let svg: String

    static func run(name: String, in dir: URL, arguments: [String]) throws -> ReportStep {
        let svgURL = dir.appendingPathComponent("\(name).svg"), jsonURL = dir.appendingPathComponent("\(name).json")
        let full = arguments + ["--json", "--svg", svgURL.path]
        let shown = (["ikebench"] + full).map(ChartOutputOptions.shellQuoted).joined(separator: " ")
        print("running: \(shown)")
        fflush(nil)
        var child = Command(selfExecutable, full)
        child.standardError = .discard
        guard let result = try? ChildProcess.run(child, timeout: .infinity), result.termination == .exited(0) else {
            throw ReportStepError(command: shown)
        }
        let json = Data(result.standardOutput.utf8)
        try json.write(to: jsonURL, options: .atomic)
        return ReportStep(command: shown, json: json, svg: try String(contentsOf: svgURL, encoding: .utf8))
    }

    struct ReportStepError: Error, CustomStringConvertible {
        let command: String
        var description: String { "\(command) failed; run it alone to see why" }
    }

    /// This very binary, so the page's figures come from the build that made it.
    static var selfExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
