import ArgumentParser
import Foundation

/// `--json`: the command prints its results as JSON instead of text.
public struct JSONOutputOption: ParsableArguments {
    @Flag(name: .customLong("json"), help: "Print the results as JSON instead of text.")
    public var isOn = false

    public init() {}
}

/// How the tools write JSON: pretty-printed, keys sorted, a newline after.
public enum JSONOutput {
    public static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
