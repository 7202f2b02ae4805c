import ArgumentParser
import CommandLineOptions
import CryptoFramework

/// Options every subcommand takes: where the policy file is.
struct PolicyOptions: ParsableArguments {
    @OptionGroup var policyFile: PolicyFileOption

    /// Test hook: pause after the new file is written and synced, before it is
    /// renamed into place, so a test can SIGKILL cryptoadm mid-write.
    @Flag(name: .customLong("debug-pause-before-rename"), help: .private)
    var pauseBeforeRename = false

    var store: PolicyStore { policyFile.store }
}
