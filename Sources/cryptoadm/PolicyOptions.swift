import ArgumentParser
import CryptoFramework
import Foundation

/// Options every subcommand takes: where the policy file is.
struct PolicyOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "The policy file (kcf.conf) to read and change.",
            discussion: "Default: $CRYPTOFRAMEWORK_CONF, else $XDG_CONFIG_HOME/cryptoframework/kcf.conf.",
            valueName: "path"))
    var configPath: String?

    /// Test hook: pause after the new file is written and synced, before it is
    /// renamed into place, so a test can SIGKILL cryptoadm mid-write.
    @Flag(name: .customLong("debug-pause-before-rename"), help: .private)
    var pauseBeforeRename = false

    var store: PolicyStore {
        if let configPath {
            return PolicyStore(url: URL(fileURLWithPath: configPath))
        }
        return PolicyStore(url: PolicyStore.defaultURL())
    }
}
