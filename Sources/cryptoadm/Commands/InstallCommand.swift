import ArgumentParser
import CryptoFramework
import Providers

struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a PKCS#11 module (a user-level provider).",
        usage: "cryptoadm install provider=/path/to/module.so [mechanism=LIST] [pinfile=/path] [slot=N] [token=LABEL] [--config PATH]",
        discussion: """
            Adds the PKCS#11 library to kcf.conf, so frameworks created from then on load it and may \
            send it requests for the mechanisms its token offers. Before anything is written the library \
            is checked: it must load, export C_GetFunctionList, and its C_Initialize and C_GetInfo must \
            succeed; it must have an initialized token (the one named by slot= or token=, else the first), \
            and with pinfile= the token must accept the PIN in that file. On any failure nothing is written.

            mechanism=LIST installs the module with only those mechanisms enabled (as Solaris does): the \
            others are recorded as disabled and can be enabled later with cryptoadm enable.

            pinfile=/path names a file holding the token's user PIN on its first line; the file must not \
            be readable by others. The PIN itself is never given on the command line, where ps would show it.

            EXAMPLES:
              cryptoadm install provider=/usr/lib/softhsm/libsofthsm2.so pinfile=/etc/cryptoframework/softhsm.pin
              cryptoadm install provider=/usr/lib/softhsm/libsofthsm2.so mechanism=CKM_RSA_PKCS,CKM_SHA256_RSA_PKCS token=ike
            """)

    @Argument(help: ArgumentHelp("provider=/path/module.so, then optionally mechanism=LIST, pinfile=, slot=, token=.", valueName: "operand"))
    var operands: [String] = []

    @OptionGroup var options: PolicyOptions

    private var parsed: Operands {
        get throws {
            let parsed = try Operands(parsing: operands, accepting: [.provider, .mechanism, .moduleOptions])
            guard let provider = parsed.provider else { throw ValidationError("the provider operand is missing.") }
            guard ProviderKind(providerName: provider) == .pkcs11Module else {
                throw ValidationError("provider=\(provider): a PKCS#11 module is named by its absolute path (/path/lib.so).")
            }
            if parsed.mechanisms == .all { throw ValidationError("mechanism=all is not valid for install; omit mechanism= to enable all.") }
            return parsed
        }
    }

    func validate() throws { _ = try parsed }

    func run() throws {
        let operands = try parsed
        let path = operands.provider!
        // The name must be one kcf.conf can hold (.so or .so.N, no blanks).
        _ = try Policy(kcfConf: "\(path):", fileName: "provider=")
        let store = options.store
        if try store.load().isInstalled(module: path) {
            throw AdminFailure("\(path) is installed already.")
        }
        var entry = ProviderPolicy(pinFile: operands.pinFile, slot: operands.slot, tokenLabel: operands.tokenLabel)
        let module: PKCS11Provider
        do {
            module = try PKCS11Provider(path: path, policy: entry)
        } catch let error as CryptoError {
            throw AdminFailure("failed to install \(path): \(error.message)")
        }
        if operands.mechanisms != nil {
            let choice = MechanismChoice(operands, offeredBy: module.descriptor)
            choice.warnInvalid(for: path)
            if !choice.invalid.isEmpty { throw AdminFailure("\(path) was not installed.") }
            entry.disabled = Set(module.descriptor.mechanisms.map(\.mechanism).filter { !$0.isPseudo && !choice.selected.contains($0) })
        }
        try PolicyWriter(options).update { policy in
            guard !policy.isInstalled(module: path) else { throw AdminFailure("\(path) is installed already.") }
            policy[provider: path] = entry
        }
    }
}

struct UninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Uninstall a PKCS#11 module.",
        usage: "cryptoadm uninstall provider=/path/to/module.so [--config PATH]",
        discussion: """
            Removes the module's line from kcf.conf, with its disabled mechanisms and token options. \
            Running frameworks stop sending it new requests.
            """)

    @Argument(help: ArgumentHelp("provider=/path/module.so.", valueName: "operand"))
    var operands: [String] = []

    @OptionGroup var options: PolicyOptions

    private var parsed: Operands {
        get throws {
            let parsed = try Operands(parsing: operands, accepting: [.provider])
            guard let provider = parsed.provider else { throw ValidationError("the provider operand is missing.") }
            guard ProviderKind(providerName: provider) == .pkcs11Module else {
                throw ValidationError("provider=\(provider): a PKCS#11 module is named by its absolute path (/path/lib.so).")
            }
            return parsed
        }
    }

    func validate() throws { _ = try parsed }

    func run() throws {
        let path = try parsed.provider!
        try PolicyWriter(options).update { policy in
            guard policy.isInstalled(module: path) else { throw AdminFailure("\(path) does not exist.") }
            policy.removeEntry(provider: path)
        }
    }
}
