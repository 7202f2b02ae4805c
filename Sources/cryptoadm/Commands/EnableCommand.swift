import ArgumentParser
import CryptoFramework

struct EnableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Enable again what disable turned off.",
        usage: "cryptoadm enable provider=NAME mechanism=LIST | random | all [--config PATH]",
        discussion: """
            Removes mechanisms from the provider's disabled list in kcf.conf. mechanism=all enables every \
            mechanism but not random; all enables everything, random included. When nothing is left \
            disabled and the provider is loaded, its line is removed from kcf.conf.

            If nothing is disabled for the provider, says "all mechanisms are enabled already for \
            PROVIDER." and exits 0. A listed mechanism that is not disabled is warned about \
            ("(Warning) NAME is either enabled already or not a valid mechanism for PROVIDER"); one the \
            provider does not offer gets "(Warning) NAME is not a valid mechanism for PROVIDER." and \
            exit status 1.

            EXAMPLES:
              cryptoadm enable provider=ncp/0 all
              cryptoadm enable provider=openssl mechanism=CKM_SHA256
            """)

    @OptionGroup var mechanismOperands: MechanismOperands

    @OptionGroup var options: PolicyOptions

    func run() throws {
        let (operands, provider, choice) = try mechanismOperands.resolve(options)
        var nothingDisabled = false
        var alreadyEnabled: [Mechanism] = []
        try PolicyWriter(options).update { policy in
            let disabled = policy[provider: provider.name].disabled
            if disabled.isEmpty {
                nothingDisabled = true
                return
            }
            // Named explicitly but not disabled (bare all / mechanism=all are not warned about).
            if case .names? = operands.mechanisms {
                alreadyEnabled = choice.selected.subtracting(disabled).filter { !$0.isPseudo }.sorted()
            }
            if operands.random, !operands.all, !disabled.contains(.random), choice.selected.contains(.random) {
                alreadyEnabled.append(.random)
            }
            policy.enable(provider: provider.name, mechanisms: choice.selected)
        }
        if nothingDisabled {
            StandardError.report("all mechanisms are enabled already for \(provider.name).")
        }
        for mechanism in alreadyEnabled {
            StandardError.report("(Warning) \(mechanism.name) is either enabled already or not a valid mechanism for \(provider.name)")
        }
        if !choice.invalid.isEmpty { throw ExitCode(ExitStatus.failure) }
    }
}
