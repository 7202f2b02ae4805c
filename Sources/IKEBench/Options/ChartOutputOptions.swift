import ArgumentParser
import Foundation

/// `--svg FILE`: the subcommand also writes its chart there.
struct ChartOutputOptions: ParsableArguments {
    @Option(name: .customLong("svg"), help: ArgumentHelp("Also write the results as an SVG chart to this file.", valueName: "file"))
    var path: String?

    /// Checked before the run, so a long run is not lost to a mistyped path.
    func validate() throws {
        guard let path else { return }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw ValidationError("--svg \(path): \(directory) is not a writable directory")
        }
    }

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
            throw OutputFileError(path: path, reason: error.localizedDescription)
        }
    }
}

/// A result file that could not be written: exit status 1 with the path and
/// the reason (not a usage error, so no usage text).
struct OutputFileError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "cannot write \(path): \(reason)" }
}
