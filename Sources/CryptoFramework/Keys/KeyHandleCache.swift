import Synchronization

/// Native handles (an EVP_PKEY, a set of mpz values, a PKCS#11 object) that
/// providers build from a key once and keep behind the key value, so a hot loop
/// never re-imports a key. One cache per key; entries live as long as the key.
public final class KeyHandleCache: Sendable {
    /// A key holds a handful of slots (one per provider that used it): a
    /// linear search compares slot names, which are literals and so equal by
    /// storage, where a dictionary would hash the name on every operation.
    private let entries = Locked<[(slot: String, handle: any Sendable)]>([])

    public init() {}

    /// The handle stored under `slot`, built by `make` on first use. Two threads
    /// racing on a cold slot may both build; the first stored wins and both get it.
    public func handle<H: Sendable>(_ slot: String, as type: H.Type = H.self, make: () throws -> H) rethrows -> H {
        if let existing = entries.withLock({ $0.first { $0.slot == slot }?.handle }) as? H { return existing }
        let made = try make()
        return entries.withLock { list in
            if let i = list.firstIndex(where: { $0.slot == slot }) {
                if let existing = list[i].handle as? H { return existing }
                list[i].handle = made
            } else {
                list.append((slot, made))
            }
            return made
        }
    }

    /// Drops every cached handle (e.g. a provider was unloaded).
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
