import ArgumentParser
import CryptoFramework
import Foundation

/// `cryptoadm`, the administrator's command of the framework, with Solaris'
/// syntax, output formats and exit status (docs/DESIGN.md "cryptoadm").
@main
struct Cryptoadm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cryptoadm",
        abstract: "Administer the cryptographic framework: list providers and their mechanisms; enable, disable or unload them; install PKCS#11 modules.",
        discussion: """
            cryptoadm is the administrator's view of the cryptographic framework. \
            Applications ask the framework for a mechanism (CKM_RSA_PKCS, CKM_DH_PKCS_DERIVE, ...); \
            a registry of providers decides who serves it. On the emulated T2000 (platform t2000) hardware \
            providers (name/instance, such as ncp/0) come first, then software providers in priority order, \
            as on Solaris; on this host (platform host) software comes first (openssl, gmp, sodium) and the \
            emulated ncp/0 serves what software may not. \
            cryptoadm changes which provider may serve which mechanism by rewriting the policy file, kcf.conf. \
            Every process of the framework obeys that file: a new framework reads it, and a running one \
            applies a change to its next requests without a restart.

            The syntax is that of Solaris' cryptoadm(1M), so an administrator's habits and scripts carry over. \
            Operands are words, not options: provider=NAME names a provider; mechanism=LIST is a \
            comma-separated list of PKCS#11 mechanism names, or mechanism=all for every mechanism of the \
            provider except random; the bare word all means every mechanism and random; random is the \
            provider's random number generator.

            POLICY FILE: --config PATH on any subcommand; else $\(FrameworkEnvironment.conf.name); else \
            $XDG_CONFIG_HOME/cryptoframework/kcf.conf ($HOME/.config/cryptoframework/kcf.conf). \
            A missing file means everything is enabled. Writes lock the file, write a new copy and rename \
            it into place, so concurrent runs never lose an update and a crash never leaves a torn file. \
            A malformed file is reported with its line and column and is never overwritten.

            EXIT STATUS: 0 success; 1 failure (an unknown provider, a mechanism the provider does not \
            offer, a malformed or unwritable policy file); 2 usage error.

            EXAMPLES:
              List the providers of every platform:
                cryptoadm list
              The mechanisms openssl offers; every provider's table of key sizes and flags:
                cryptoadm list -m provider=openssl
                cryptoadm list -mv
              What the policy enables and disables:
                cryptoadm list -p
              The 2007 experiment on a Sun Fire T2000: take the Niagara MAUs out of
              service, every mechanism and random, so IKE's RSA and Diffie-Hellman
              fall back to software (one IKE Phase I went from 165 ms to 7.73 s):
                cryptoadm disable provider=ncp/0 all
              Undo it; with nothing left disabled, ncp/0's line leaves kcf.conf:
                cryptoadm enable provider=ncp/0 all
              Keep gmp out of Diffie-Hellman; stop sodium's random numbers:
                cryptoadm disable provider=gmp mechanism=CKM_DH_PKCS_DERIVE
                cryptoadm disable provider=sodium random
              Install SoftHSM2 as a user-level provider (its PIN read from a file), then remove it:
                cryptoadm install provider=/usr/lib/softhsm/libsofthsm2.so pinfile=/etc/cryptoframework/softhsm.pin
                cryptoadm uninstall provider=/usr/lib/softhsm/libsofthsm2.so
              Which providers served a running process (started with \(FrameworkEnvironment.kstatDirectory.name)=DIR):
                cryptoadm kstat --dir DIR provider=ncp/0
              Make gmp inactive, then load every inactive provider again:
                cryptoadm unload provider=gmp
                cryptoadm refresh
            """,
        subcommands: [
            ListCommand.self, DisableCommand.self, EnableCommand.self,
            InstallCommand.self, UninstallCommand.self,
            UnloadCommand.self, RefreshCommand.self, KstatCommand.self,
        ]
    )

    /// `cryptoadm` without a subcommand is a usage error, as in Solaris.
    func run() throws {
        throw ValidationError("a subcommand is required.")
    }

    /// Maps outcomes to Solaris' exit status: usage errors exit 2 (ArgumentParser's
    /// default is sysexits' 64), failures print `cryptoadm: …` and exit 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as AdminFailure {
            StandardError.write("cryptoadm: \(failure.message)\n")
            Foundation.exit(ExitStatus.failure)
        } catch let error as CryptoError {
            StandardError.write("cryptoadm: \(error.message)\n")
            Foundation.exit(ExitStatus.failure)
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardError.write(fullMessage(for: error) + "\n")
                Foundation.exit(ExitStatus.usage)
            }
            exit(withError: error)
        }
    }
}
