/// A policy the framework applied while it ran (a changed kcf.conf noticed,
/// or ``CryptoFramework/setPolicy(_:)``), with when: a benchmark marks the
/// moment on its timeline (`cryptoadm disable provider=ncp/0 all` mid-run).
public struct PolicyChange: Sendable, Equatable {
    /// CLOCK_MONOTONIC nanoseconds at which new requests began to obey `policy`.
    public let appliedAtNanoseconds: UInt64
    public let previous: Policy
    public let policy: Policy

    /// Per provider whose entry changed: "ncp/0: 6 disabled", "gmp: unloaded",
    /// "sparcfp: 2 enabled, loaded".
    public var summary: String {
        let names = (previous.providerNames + policy.providerNames).reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        let parts = names.compactMap { name -> String? in
            let (old, new) = (previous[provider: name], policy[provider: name])
            guard old != new else { return nil }
            var what: [String] = []
            let disabled = new.disabled.subtracting(old.disabled).count
            let enabled = old.disabled.subtracting(new.disabled).count
            if disabled > 0 { what.append("\(disabled) mechanism\(disabled == 1 ? "" : "s") disabled") }
            if enabled > 0 { what.append("\(enabled) mechanism\(enabled == 1 ? "" : "s") enabled") }
            if new.unloaded != old.unloaded { what.append(new.unloaded ? "unloaded" : "loaded") }
            if what.isEmpty { what.append(policy.isInstalled(module: name) ? "module settings changed" : "uninstalled") }
            return "\(name): " + what.joined(separator: ", ")
        }
        return parts.isEmpty ? "policy re-applied" : parts.joined(separator: "; ")
    }
}
