import ArgumentParser
import Foundation

/// `--svg FILE`: the subcommand also writes its chart there.
struct ChartOutputOptions: ParsableArguments {
    @Option(name: .customLong("svg"), help: ArgumentHelp("Also write the results as an SVG chart to this file.", valueName: "file"))
    var path: String?

    /// The command line that made the chart, for its footnote.
    static var commandLine: String {
        (["ikebench"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
    }

    static func shellQuoted(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=,:+@%".contains($0) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Writes `svg()` when --svg was given (made only then).
    func write(_ svg: () throws -> String) throws {
        guard let path else { return }
        do {
            try Data(try svg().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ValidationError("--svg \(path): cannot write the chart: \(error.localizedDescription)")
        }
    }
}
