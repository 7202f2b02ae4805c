import CryptoFramework
import Providers

/// Every provider of every platform this build knows, each once: what
/// cryptoadm lists, and checks provider and mechanism names against.
///
/// A provider that several platforms register (ncp/0 on host, t2000 and t5220) is one
/// entry whose mechanisms are the union of both registrations, each with the
/// widest key range and the union of flags: the policy names providers, not
/// platforms, so one kcf.conf line governs it on both.
struct ProviderCatalog {
    /// In platform order, then registration order.
    let providers: [ProviderDescriptor]

    init(providers: [ProviderDescriptor]) {
        var merged: [ProviderDescriptor] = []
        var index: [String: Int] = [:]
        for descriptor in providers {
            if let i = index[descriptor.name] {
                merged[i] = Self.merge(merged[i], descriptor)
            } else {
                index[descriptor.name] = merged.count
                merged.append(descriptor)
            }
        }
        self.providers = merged
    }

    /// The providers that `platforms` register, built as a framework builds
    /// them, plus the PKCS#11 modules `policy` installs (loaded to learn their
    /// mechanisms; one that fails to load is listed with its error).
    init(platforms: [Platform] = Platform.all, installing policy: Policy = Policy()) throws {
        var modules = Policy()
        for path in policy.installedModules { modules[provider: path] = policy[provider: path] }
        var all: [ProviderDescriptor] = []
        var errors: [String: CryptoError] = [:]
        for platform in platforms {
            // An in-memory policy: only the installations matter here, not the file's other lines.
            let framework = try CryptoFramework(platform: platform, policy: .inMemory(modules))
            all += framework.providers
            for path in modules.installedModules { errors[path] = errors[path] ?? framework.loadError(provider: path) }
        }
        self.init(providers: all)
        self.loadErrors = errors
    }

    /// Why an installed module could not be loaded, by path.
    private(set) var loadErrors: [String: CryptoError] = [:]

    func provider(named name: String) -> ProviderDescriptor? {
        providers.first { $0.name == name }
    }

    /// The known provider `name`, or the failure Solaris reports ("NAME does not exist.").
    func existing(_ name: String) throws -> ProviderDescriptor {
        guard let descriptor = provider(named: name) else {
            let known = providers.map(\.name).joined(separator: ", ")
            throw AdminFailure("\(name) does not exist. Known providers: \(known).")
        }
        return descriptor
    }

    static func merge(_ a: ProviderDescriptor, _ b: ProviderDescriptor) -> ProviderDescriptor {
        var byMechanism: [Mechanism: MechanismInfo] = [:]
        for info in a.mechanisms + b.mechanisms {
            if let seen = byMechanism[info.mechanism] {
                byMechanism[info.mechanism] = MechanismInfo(
                    info.mechanism,
                    minKeyBits: min(seen.minKeyBits, info.minKeyBits),
                    maxKeyBits: max(seen.maxKeyBits, info.maxKeyBits),
                    flags: seen.flags.union(info.flags))
            } else {
                byMechanism[info.mechanism] = info
            }
        }
        return ProviderDescriptor(
            name: a.name, kind: a.kind, summary: a.summary, mechanisms: Array(byMechanism.values))
    }
}
