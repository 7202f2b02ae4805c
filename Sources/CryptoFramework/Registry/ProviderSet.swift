import Foundation
import Synchronization

/// The providers a framework has: the platform's, then the PKCS#11 modules
/// attached from the policy. Immutable; a new set only ever appends, so an
/// index names the same provider in every later set.
final class ProviderSet: Sendable {
    let providers: [any CryptoProvider]
    let descriptors: [ProviderDescriptor]
    let stats: [ProviderStats]
    let indexByName: [String: Int]
    /// Why an installed PKCS#11 module could not be loaded, by path.
    let loadErrors: [String: CryptoError]
    /// Modules attached from the policy: they serve only while it installs them.
    let fromPolicy: Set<Int>

    /// The platform's own providers.
    convenience init(platform: Platform) throws {
        let made = try platform.makeProviders()
        var seen: [String: Int] = [:]
        for (i, p) in made.enumerated() {
            let name = p.descriptor.name
            guard seen[name] == nil else {
                throw CryptoError(.argumentsBad, "platform \(platform.name) registers two providers named \(name)")
            }
            seen[name] = i
        }
        self.init(providers: made, stats: made.map { _ in ProviderStats() }, indexByName: seen, loadErrors: [:], fromPolicy: [])
    }

    private init(
        providers: [any CryptoProvider], stats: [ProviderStats], indexByName: [String: Int],
        loadErrors: [String: CryptoError], fromPolicy: Set<Int>
    ) {
        self.providers = providers
        self.descriptors = providers.map(\.descriptor)
        self.stats = stats
        self.indexByName = indexByName
        self.loadErrors = loadErrors
        self.fromPolicy = fromPolicy
    }

    /// This set with a provider for every module `policy` installs that it
    /// lacks (a module that fails to load is attached as an unavailable
    /// provider carrying the reason); `self` when there is none.
    func attaching(modulesOf policy: Policy, platform: Platform) -> ProviderSet {
        let missing = policy.installedModules.filter { self.indexByName[$0] == nil }
        guard !missing.isEmpty else { return self }
        var providers = self.providers, stats = self.stats, indexByName = self.indexByName
        var loadErrors = self.loadErrors, fromPolicy = self.fromPolicy
        for path in missing {
            let provider: any CryptoProvider
            do {
                guard let make = platform.makeModuleProvider else {
                    throw CryptoError(.notSupported, "platform \(platform.name) cannot load PKCS#11 modules")
                }
                provider = try make(path, policy[provider: path])
            } catch {
                let failure = error as? CryptoError ?? CryptoError(.deviceError, "\(error)")
                loadErrors[path] = failure
                provider = UnavailableModuleProvider(path: path, error: failure)
            }
            indexByName[path] = providers.count
            fromPolicy.insert(providers.count)
            providers.append(provider)
            stats.append(ProviderStats())
        }
        return ProviderSet(
            providers: providers, stats: stats, indexByName: indexByName, loadErrors: loadErrors, fromPolicy: fromPolicy)
    }
}
