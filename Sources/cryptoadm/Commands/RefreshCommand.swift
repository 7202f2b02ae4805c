import ArgumentParser
import CryptoFramework

struct RefreshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Load every inactive software provider again.",
        usage: "cryptoadm refresh [--config PATH]",
        discussion: """
            Clears every `unload` in kcf.conf, so unloaded software providers serve requests again. \
            Disabled mechanisms stay disabled.
            """)

    @OptionGroup var options: PolicyOptions

    func run() throws {
        try PolicyWriter(options).update { policy in
            for (name, entry) in policy.entriesInOrder where entry.unloaded {
                policy.setUnloaded(false, provider: name)
            }
        }
    }
}
