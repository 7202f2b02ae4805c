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

    @OptionGroup var mechanismOperands: MechanismOperands

    @OptionGroup var options: PolicyOptions

    func run() throws {
        let (_, provider, choice) = try mechanismOperands.resolve(options)
        try PolicyWriter(options).update { policy in
            if !policy.isActive(provider: provider.name) {
                throw AdminFailure("can not do disable on an unloaded software provider -- \(provider.name).")
            }
            policy.disable(provider: provider.name, mechanisms: choice.selected)
        }
        if !choice.invalid.isEmpty { throw ExitCode(ExitStatus.failure) }
    }
}
