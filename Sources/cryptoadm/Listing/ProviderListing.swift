import CryptoFramework

/// The text of `cryptoadm list` in its forms, after Solaris' list_simple_for_all,
/// list_mechlist_for_all and list_policy_for_all (illumos cmd-crypto/cryptoadm):
/// three sections, user-level (PKCS#11 modules), software and hardware
/// providers. The headings say "Software"/"Hardware" where Solaris says
/// "Kernel software"/"Kernel hardware": there is no kernel here.
struct ProviderListing {
    enum Form {
        /// `list` (`-v` adds each provider's one-line summary).
        case names(verbose: Bool)
        /// `list -m`, or with `-v` the mechanism table.
        case mechanisms(verbose: Bool)
        /// `list -p`.
        case policy
    }

    let catalog: ProviderCatalog
    let policy: Policy
    /// `provider=NAME`: that provider alone, without section headings.
    var provider: ProviderDescriptor?
    /// `mechanism=LIST`: only providers offering one of these, and only these mechanisms.
    var mechanisms: Set<Mechanism>?
    /// `list -v` of a PKCS#11 module: its slot and token detail (Solaris' list_mechlist_for_lib, verbose).
    var moduleDetail: (String) -> String = { _ in "" }
    /// Installed modules that could not be loaded, with why.
    var loadErrors: [String: CryptoError] = [:]

    func render(_ form: Form) -> String {
        if let provider {
            return entry(provider, form)
        }
        var text = ""
        for section in Section.allCases {
            text += "\n" + section.heading + "\n"
            if case .names = form {} else {
                // Solaris underlines the headings of -m and -p, as long as the heading.
                text += String(repeating: "=", count: section.heading.count) + "\n"
            }
            for descriptor in catalog.providers where Section(descriptor.kind) == section && isShown(descriptor) {
                text += entry(descriptor, form)
            }
        }
        return text
    }

    // MARK: Sections

    private enum Section: CaseIterable {
        case userLevel, software, hardware

        init(_ kind: ProviderKind) {
            switch kind {
            case .pkcs11Module: self = .userLevel
            case .software: self = .software
            case .hardware: self = .hardware
            }
        }

        var heading: String {
            switch self {
            case .userLevel: "User-level providers:"
            case .software: "Software providers:"
            case .hardware: "Hardware providers:"
            }
        }
    }

    private func isShown(_ descriptor: ProviderDescriptor) -> Bool {
        guard let mechanisms else { return true }
        return descriptor.mechanisms.contains { mechanisms.contains($0.mechanism) }
    }

    // MARK: One provider

    private func entry(_ descriptor: ProviderDescriptor, _ form: Form) -> String {
        switch form {
        case .names(let verbose):
            if descriptor.kind == .pkcs11Module {
                return nameLine(descriptor) + (verbose && !isFailedModule(descriptor) ? moduleDetail(descriptor.name) : "")
            }
            return nameLine(descriptor) + (verbose ? "\t\t\(descriptor.summary)\n" : "")
        case .mechanisms(let verbose):
            return verbose ? mechanismTable(descriptor) : mechanismLine(descriptor)
        case .policy:
            return policyLine(descriptor)
        }
    }

    private var isNarrowedToOne: Bool { provider != nil }

    /// `\tNAME`, ` (inactive)` for an unloaded software provider; `Provider: PATH` for a module.
    private func nameLine(_ d: ProviderDescriptor) -> String {
        if d.kind == .pkcs11Module {
            // A module that did not load says why (its summary holds the load error).
            return "Provider: \(d.name)" + (loadErrors[d.name].map { " (failed to load: \($0.message))" } ?? "") + "\n"
        }
        let inactive = policy.isActive(provider: d.name) ? "" : " (inactive)"
        return (isNarrowedToOne ? "" : "\t") + d.name + inactive + "\n"
    }

    /// An installed module that could not be loaded: listed with no mechanisms and its error.
    private func isFailedModule(_ d: ProviderDescriptor) -> Bool {
        loadErrors[d.name] != nil
    }

    /// The mechanisms to show, in PKCS#11 value order. Solaris filters `random`
    /// out of mechanism lists: it is a feature (`list -p`), not a mechanism.
    private func shownMechanisms(_ d: ProviderDescriptor) -> [MechanismInfo] {
        d.mechanisms.filter { !$0.mechanism.isPseudo && (mechanisms?.contains($0.mechanism) ?? true) }
    }

    /// `NAME: A,B,C` (print_mechlist); a module as `Provider:`/`Mechanisms:`/one `%-29s` name per line.
    private func mechanismLine(_ d: ProviderDescriptor) -> String {
        let shown = shownMechanisms(d)
        if d.kind == .pkcs11Module {
            return (isNarrowedToOne ? "" : "\n") + "Provider: \(d.name)\nMechanisms:\n"
                + shown.map { MechanismTable.nameColumn.pad($0.mechanism.name) + "\n" }.joined()
        }
        if !policy.isActive(provider: d.name) { return "\(d.name): (inactive)\n" }
        if shown.isEmpty { return "\(d.name): No mechanisms presented.\n" }
        return "\(d.name): " + shown.map(\.mechanism.name).joined(separator: ",") + "\n"
    }

    /// `Provider: NAME`, `Mechanisms:`, the table header and one row per mechanism.
    private func mechanismTable(_ d: ProviderDescriptor) -> String {
        let separator = isNarrowedToOne ? "" : "\n"
        if d.kind != .pkcs11Module, !policy.isActive(provider: d.name) { return separator + "\(d.name): (inactive)\n" }
        let shown = shownMechanisms(d)
        var text = separator + "Provider: \(d.name)\n"
        if shown.isEmpty { return text + "No mechanisms presented.\n" }
        text += "Mechanisms:\n"
        text += MechanismTable.headerLines.map { $0 + "\n" }.joined()
        text += shown.map { MechanismTable.row($0) + "\n" }.joined()
        return text
    }

    /// print_kef_policy: `NAME: all mechanisms are enabled[, except A,B]. random is enabled|disabled.`
    private func policyLine(_ d: ProviderDescriptor) -> String {
        let entry = policy[provider: d.name]
        let offersRandom = d.info(for: .random) != nil
        let offersMechanisms = d.mechanisms.contains { !$0.mechanism.isPseudo }
        var text = "\(d.name):"
        if offersMechanisms {
            let disabled = entry.disabled.filter { !$0.isPseudo }.sorted()
            text += " all mechanisms are enabled"
            if !disabled.isEmpty {
                text += ", except " + disabled.map(\.name).joined(separator: ",")
            }
            text += "."
        }
        if entry.disabled.contains(.random) {
            text += " random is disabled."
        } else if offersRandom {
            text += " random is enabled."
        }
        return text + "\n"
    }
}
