import CryptoFramework

/// What a `disable` or `enable` names for one provider, resolved against the
/// mechanisms that provider offers.
struct MechanismChoice {
    /// The provider's mechanisms the operands select (`random` included when named).
    var selected: Set<Mechanism> = []
    /// Names the provider does not offer (or no mechanism has), in the order given.
    var invalid: [String] = []

    /// Bare `all` is every mechanism and random; `mechanism=all` every mechanism
    /// but random; `random` the random feature (Solaris' allflag/rndflag).
    init(_ operands: Operands, offeredBy provider: ProviderDescriptor) {
        let offered = provider.mechanisms.map(\.mechanism)
        if operands.all {
            selected.formUnion(offered)
        }
        switch operands.mechanisms {
        case .all?:
            selected.formUnion(offered.filter { !$0.isPseudo })
        case .names(let names)?:
            for name in names {
                if let mechanism = Mechanism(name: name), provider.info(for: mechanism) != nil {
                    selected.insert(mechanism)
                } else {
                    invalid.append(name)
                }
            }
        case nil:
            break
        }
        if operands.random, !operands.all {
            if provider.info(for: .random) != nil {
                selected.insert(.random)
            } else {
                invalid.append(Mechanism.random.name)
            }
        }
    }

    /// Solaris' warning, once per name: `(Warning) CKM_FOO is not a valid mechanism for ncp/0.`
    func warnInvalid(for provider: String) {
        for name in invalid {
            StandardError.report("(Warning) \(name) is not a valid mechanism for \(provider).")
        }
    }
}
