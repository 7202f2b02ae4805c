import ArgumentParser
import CryptoFramework

struct UnloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unload",
        abstract: "Make a software provider inactive.",
        usage: "cryptoadm unload provider=NAME [--config PATH]",
        discussion: """
            Marks the software provider unloaded in kcf.conf (NAME:unload): no request is served by it \
            until `cryptoadm refresh`, and `cryptoadm list` shows it as (inactive). Its disabled list is \
            kept. Hardware providers and PKCS#11 modules cannot be unloaded; disable them instead.

            EXAMPLE:
              cryptoadm unload provider=gmp
            """)

    @Argument(help: ArgumentHelp("provider=NAME.", valueName: "operand"))
    var operands: [String] = []

    @OptionGroup var options: PolicyOptions

    private var parsed: Operands {
        get throws {
            let parsed = try Operands(parsing: operands, accepting: [.provider])
            guard parsed.provider != nil else { throw ValidationError("the provider operand is missing.") }
            return parsed
        }
    }

    func validate() throws { _ = try parsed }

    func run() throws {
        let name = try parsed.provider!
        guard ProviderKind(providerName: name) == .software else {
            throw AdminFailure("\(name) is not a valid software provider.")
        }
        let provider = try ProviderCatalog(installing: (try? options.store.load()) ?? Policy()).existing(name)
        try PolicyWriter(options).update { $0.setUnloaded(true, provider: provider.name) }
    }
}
