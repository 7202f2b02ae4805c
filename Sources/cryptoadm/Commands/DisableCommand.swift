import ArgumentParser
import CryptoFramework

struct DisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Disable mechanisms, random, or everything of one provider.",
        usage: "cryptoadm disable provider=NAME mechanism=LIST | random | all [--config PATH]",
        discussion: """
            Adds mechanisms to the provider's disabled list in kcf.conf. Requests for those mechanisms \
            then go to another provider that offers them, or fail if none does. Running frameworks apply \
            the change to their next requests.

            mechanism=LIST disables the listed mechanisms (comma-separated); mechanism=all disables every \
            mechanism of the provider but leaves random enabled; random disables the provider's random \
            number generator; all disables every mechanism and random.

            A name the provider does not offer is reported as \
            "(Warning) NAME is not a valid mechanism for PROVIDER." The valid names are still disabled, \
            and the exit status is 1. An unloaded software provider cannot be changed: refresh it first.

            EXAMPLES:
              The 2007 T2000 experiment (IKE Phase I: 165 ms with ncp, 7.73 s without):
                cryptoadm disable provider=ncp/0 all
              Other examples:
              cryptoadm disable provider=openssl mechanism=CKM_RSA_PKCS,CKM_SHA256
              cryptoadm disable provider=sodium random
            """)

    @Argument(help: ArgumentHelp("provider=NAME, then mechanism=LIST, random and/or all.", valueName: "operand"))
    var operands: [String] = []

    @OptionGroup var options: PolicyOptions

    private var parsed: Operands {
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

    func run() throws {
        let operands = try parsed
        // Installed modules come from the file; an unreadable or malformed file is reported by the write below.
        let provider = try ProviderCatalog(installing: (try? options.store.load()) ?? Policy()).existing(operands.provider!)
        let choice = MechanismChoice(operands, offeredBy: provider)
        choice.warnInvalid(for: provider.name)
        try PolicyWriter(options).update { policy in
            if !policy.isActive(provider: provider.name) {
                throw AdminFailure("can not do disable on an unloaded software provider -- \(provider.name).")
            }
            policy.disable(provider: provider.name, mechanisms: choice.selected)
        }
        if !choice.invalid.isEmpty { throw ExitCode(ExitStatus.failure) }
    }
}
