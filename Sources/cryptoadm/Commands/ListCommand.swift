import ArgumentParser
import CryptoFramework
import PKCS11Module
import Providers

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List providers, their mechanisms, or the policy in force.",
        usage: "cryptoadm list [-mpv] [provider=NAME] [mechanism=LIST] [--config PATH]",
        discussion: """
            Without options, lists every provider of every platform this build knows (host, t2000 and t5220), \
            once each, under three headings: user-level providers (PKCS#11 modules), software providers \
            and hardware providers. An unloaded software provider is marked (inactive).

            -m lists each provider's mechanisms (PROVIDER: CKM_A,CKM_B,...); with -v, as a table of \
            minimum and maximum key size in bits and the PKCS#11 flags (HW, Encrypt, Decrypt, Digest, \
            Sign, Sign+Recover, Verify, Verify+Recover, KeyGen, PairGen, Wrap, Unwrap, Derive, EC). \
            -p shows the policy: which mechanisms are enabled and whether random is enabled. -v alone \
            adds a one-line description of each provider. -p cannot be combined with -m or -v.

            provider=NAME shows that provider alone. mechanism=LIST (comma-separated) shows only the \
            providers that offer one of the mechanisms, and with -m only those mechanisms.

            EXAMPLES:
              cryptoadm list -mv provider=ncp/0
              cryptoadm list -p mechanism=CKM_RSA_PKCS
            """)

    @Flag(name: [.customShort("m"), .customLong("mechanisms")], help: "List each provider's mechanisms.")
    var showMechanisms = false

    @Flag(name: [.customShort("p"), .customLong("policy")], help: "Show the policy: what is enabled and disabled.")
    var showPolicy = false

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Verbose: provider descriptions; with -m, the mechanism table.")
    var verbose = false

    @Argument(help: ArgumentHelp("provider=NAME and/or mechanism=LIST.", valueName: "operand"))
    var operands: [String] = []

    @OptionGroup var options: PolicyOptions

    private var parsed: Operands {
        get throws { try Operands(parsing: operands, accepting: [.provider, .mechanism]) }
    }

    func validate() throws {
        if showPolicy && (showMechanisms || verbose) {
            throw ValidationError("-p cannot be combined with -m or -v.")
        }
        _ = try parsed
    }

    func run() throws {
        let operands = try parsed
        let policy = try options.store.load()
        let catalog = try ProviderCatalog(installing: policy)
        var listing = ProviderListing(catalog: catalog, policy: policy)
        listing.loadErrors = catalog.loadErrors
        listing.moduleDetail = { path in (try? PKCS11ModuleReport.verboseText(path: path)) ?? "" }
        if let name = operands.provider {
            listing.provider = try catalog.existing(name)
        }
        if case .names(let names)? = operands.mechanisms {
            listing.mechanisms = Set(try names.map { name in
                guard let mechanism = Mechanism(name: name) else {
                    throw AdminFailure("\(name) is not a valid mechanism.")
                }
                return mechanism
            })
        }
        let form: ProviderListing.Form =
            showPolicy ? .policy : showMechanisms ? .mechanisms(verbose: verbose) : .names(verbose: verbose)
        print(listing.render(form), terminator: "")
        if case .names(verbose: true) = form, operands.provider == nil, operands.mechanisms == nil {
            // Solaris' `list -v` ends with the metaslot's status: here the PKCS#11 module's slot.
            print(MetaslotStatus.text(policy: .file(options.store.url)), terminator: "")
        }
    }
}
