import Synchronization

/// Native handles (an EVP_PKEY, a set of mpz values, a PKCS#11 object) that
/// providers build from a key once and keep behind the key value, so a hot loop
/// never re-imports a key. One cache per key; entries live as long as the key.
public final class KeyHandleCache: Sendable {
    private let entries = Locked<[String: any Sendable]>([:])

    public init() {}

    /// The handle stored under `slot`, built by `make` on first use. Two threads
    /// racing on a cold slot may both build; the first stored wins and both get it.
    public func handle<H: Sendable>(_ slot: String, as type: H.Type = H.self, make: () throws -> H) rethrows -> H {
        if let existing = entries.withLock({ $0[slot] }) as? H { return existing }
        let made = try make()
        return entries.withLock { dict in
            if let existing = dict[slot] as? H { return existing }
            dict[slot] = made
            return made
        }
    }

    /// Drops every cached handle (e.g. a provider was unloaded).
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
