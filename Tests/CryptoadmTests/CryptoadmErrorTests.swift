import CryptoFramework
import Foundation
import ProcessSupport
import Testing

/// Exit status and message for each class of error (Solaris: 1 failure, 2 usage).
@Suite("cryptoadm errors")
struct CryptoadmErrorTests {
    @Test("an unknown subcommand is a usage error")
    func unknownSubcommand() throws {
        let run = try cryptoadm("frobnicate")
        #expect(run.status == 2, "\(run)")
        #expect(run.standardError.contains("Unexpected argument 'frobnicate'"))
        #expect(run.standardError.contains("Usage: cryptoadm"))
    }

    @Test("no subcommand is a usage error")
    func noSubcommand() throws {
        let run = try cryptoadm()
        #expect(run.status == 2, "\(run)")
        #expect(run.standardError.contains("a subcommand is required"))
    }

    @Test("a missing provider or mechanism operand is a usage error", arguments: [
        (["disable"], "the provider operand is missing."),
        (["disable", "provider=openssl"], "the mechanism operand is missing."),
        (["enable", "provider=openssl"], "the mechanism operand is missing."),
        (["unload"], "the provider operand is missing."),
        (["disable", "provider=", "all"], "bad provider name"),
        (["disable", "provider=openssl", "mechanism=CKM_SHA256,,CKM_SHA1"], "bad mechanism list"),
        (["list", "bogus"], "unrecognized operand 'bogus'."),
    ])
    func missingOperand(_ arguments: [String], _ message: String) throws {
        let config = try scratchConfig()
        let run = try CryptoadmProcess(arguments + ["--config", config.path]).wait()
        #expect(run.status == 2, "\(run)")
        #expect(run.standardError.contains(message), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: config.path))
    }

    @Test("-p with -m or -v is a usage error", arguments: [["-p", "-m"], ["-pm"], ["-mp"], ["-p", "-v"], ["-pv"]])
    func policyWithMechanisms(_ flags: [String]) throws {
        let run = try CryptoadmProcess(["list"] + flags).wait()
        #expect(run.status == 2, "\(run)")
        #expect(run.standardError.contains("-p cannot be combined with -m or -v."))
        #expect(run.standardOutput == "")
    }

    @Test("an unknown provider fails with a clear message", arguments: [
        ["disable", "provider=nosuch", "all"],
        ["enable", "provider=ncp/7", "mechanism=CKM_RSA_PKCS"],
        ["unload", "provider=nosuch"],
        ["list", "-m", "provider=nosuch"],
    ])
    func unknownProvider(_ arguments: [String]) throws {
        let config = try scratchConfig()
        let run = try CryptoadmProcess(arguments + ["--config", config.path]).wait()
        let name = arguments.first { $0.hasPrefix("provider=") }!.dropFirst("provider=".count)
        #expect(run.status == 1, "\(run)")
        #expect(run.standardError.hasPrefix("cryptoadm: \(name) does not exist. Known providers: openssl, gmp, sodium"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: config.path))
    }

    @Test("a mechanism the provider does not offer: Solaris' warning, exit 1, the valid ones still disabled")
    func invalidMechanism() throws {
        let config = try scratchConfig()
        let run = try cryptoadm("disable", "provider=gmp", "mechanism=CKM_SHA256,CKM_FOO,CKM_RSA_PKCS", "--config", config.path)
        #expect(run.status == 1, "\(run)")
        #expect(run.standardError == """
            cryptoadm: (Warning) CKM_SHA256 is not a valid mechanism for gmp.
            cryptoadm: (Warning) CKM_FOO is not a valid mechanism for gmp.

            """)
        #expect(try PolicyStore(url: config).load()[provider: "gmp"].disabled == [.rsaPKCS])
    }

    @Test("only names the provider does not offer: nothing is written")
    func onlyInvalidMechanisms() throws {
        let config = try scratchConfig()
        let run = try cryptoadm("disable", "provider=sodium", "mechanism=CKM_RSA_PKCS", "--config", config.path)
        #expect(run.status == 1)
        #expect(run.standardError == "cryptoadm: (Warning) CKM_RSA_PKCS is not a valid mechanism for sodium.\n")
        #expect(!FileManager.default.fileExists(atPath: config.path))
    }

    @Test("unload applies only to software providers")
    func unloadHardware() throws {
        let run = try cryptoadm("unload", "provider=ncp/0")
        #expect(run.status == 1)
        #expect(run.standardError == "cryptoadm: ncp/0 is not a valid software provider.\n")
    }

    @Test("--help describes the command, with the 2007 experiment")
    func help() throws {
        let run = try cryptoadm("--help")
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("cryptoadm disable provider=ncp/0 all"))
        #expect(run.standardOutput.contains("EXIT STATUS"))
        for subcommand in ["list", "disable", "enable", "unload", "refresh"] {
            let sub = try cryptoadm(subcommand, "--help")
            #expect(sub.status == 0)
            #expect(sub.standardOutput.contains("--config <path>"), "\(subcommand) --help")
        }
    }
}
