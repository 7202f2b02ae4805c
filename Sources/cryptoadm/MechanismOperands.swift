import ArgumentParser
import CryptoFramework

/// The operands `disable` and `enable` share — provider=NAME, then
/// mechanism=LIST, random and/or all — and what they name.
struct MechanismOperands: ParsableArguments {
    @Argument(help: ArgumentHelp("provider=NAME, then mechanism=LIST, random and/or all.", valueName: "operand"))
    var operands: [String] = []

    var parsed: Operands {
        get throws {
            let parsed = try Operands(parsing: operands, accepting: [.provider, .mechanism, .features])
            guard parsed.provider != nil else { throw ValidationError("the provider operand is missing.") }
            guard parsed.mechanisms != nil || parsed.all || parsed.random else {
                throw ValidationError("the mechanism operand is missing.")
            }
            return parsed
        }
    }

    func validate() throws { _ = try parsed }

    /// The named provider and the mechanisms chosen, with Solaris' warning
    /// printed for each name the provider does not offer.
    func resolve(_ options: PolicyOptions) throws -> (operands: Operands, provider: ProviderDescriptor, choice: MechanismChoice) {
        let operands = try parsed
        // Installed modules come from the file; an unreadable or malformed file is reported by the write that follows.
        let provider = try ProviderCatalog(installing: (try? options.store.load()) ?? Policy()).existing(operands.provider!)
        let choice = MechanismChoice(operands, offeredBy: provider)
        choice.warnInvalid(for: provider.name)
        return (operands, provider, choice)
    }
}
