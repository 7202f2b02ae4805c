import ArgumentParser
import CryptoFramework
import Foundation

/// `--config PATH`: the policy file (kcf.conf) a command reads, and
/// cryptoadm's subcommands change; unset, the one the environment names.
public struct PolicyFileOption: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "The policy file (kcf.conf). Default: $\(FrameworkEnvironment.conf.name), else $XDG_CONFIG_HOME/cryptoframework/kcf.conf.",
            valueName: "path"))
    public var path: String?

    public init() {}

    /// The file either way, so that a `cryptoadm` change made while a framework
    /// runs applies to its next requests.
    public var source: PolicySource {
        path.map { .file(URL(fileURLWithPath: $0)) } ?? .default
    }

    /// The file, to read or change it.
    public var store: PolicyStore {
        PolicyStore(url: path.map { URL(fileURLWithPath: $0) } ?? PolicyStore.defaultURL())
    }

    /// The option again, for a child command line (empty when it was not given).
    public var arguments: [String] {
        path.map { ["--config", $0] } ?? []
    }
}
