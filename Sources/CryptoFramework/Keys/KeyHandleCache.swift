import Synchronization

/// Native handles (an EVP_PKEY, a set of mpz values, a PKCS#11 object) that
/// providers build from a key once and keep behind the key value, so a hot loop
/// never re-imports a key. One cache per key; entries live as long as the key.
///
/// Every operation on the key reads its cache, so a read takes no lock: the
/// entries are an immutable list, ``Published``, and a new slot publishes a
/// longer copy (a key holds a handful of slots, one per provider that used it).
public final class KeyHandleCache: Sendable {
    /// A typed box, so a hit reads its value with an unchecked downcast.
    @usableFromInline
    final class Box<H: Sendable>: Sendable {
        @usableFromInline let value: H
        @usableFromInline init(_ value: H) { self.value = value }
    }

    /// The entries, each with the type it was stored as: a read compares
    /// metadata pointers and downcasts, where a cast from an existential would
    /// go through the runtime's dynamic cast on every operation.
    @usableFromInline
    final class List: Sendable {
        @usableFromInline let entries: [(slot: String, box: AnyObject & Sendable, type: ObjectIdentifier)]
        init(_ entries: [(slot: String, box: AnyObject & Sendable, type: ObjectIdentifier)]) { self.entries = entries }
    }

    /// The list in force, made on the first store (every list published stays
    /// alive with the cache). Nil until then: most keys made on a request
    /// path (a peer's public value checked once, say) never hold a handle, and
    /// an empty cache is then one small object instead of five (the
    /// publisher, its lock, its kept array and an empty list). Holds a +1
    /// reference released in deinit. (An atomic reference of a concrete
    /// class, as in OperationContext: Synchronization's generic
    /// AtomicLazyReference looked up its type metadata on every load.)
    @usableFromInline let published = Atomic<Unmanaged<Published<List>>?>(nil)

    public init() {}

    deinit { published.load(ordering: .acquiring)?.release() }

    /// The publisher, made and installed on first use (two threads racing
    /// here both get the one installed).
    private var list: Published<List> {
        if let box = published.load(ordering: .acquiring) { return box.takeUnretainedValue() }
        let made = Unmanaged.passRetained(Published(List([])))
        let (exchanged, original) = published.compareExchange(expected: nil, desired: made, ordering: .acquiringAndReleasing)
        if exchanged { return made.takeUnretainedValue() }
        made.release()
        return original!.takeUnretainedValue()
    }

    /// The handle stored under `slot`, built by `make` on first use. Two threads
    /// racing on a cold slot may both build; the first stored wins and both get it.
    /// A slot holds one type: a handle of another type under the same slot name
    /// replaces it.
    @inlinable
    public func handle<H: Sendable>(_ slot: String, as type: H.Type = H.self, make: () throws -> H) rethrows -> H {
        if let existing = lookup(slot, as: H.self) { return existing }
        return store(slot, try make())
    }

    @inlinable
    func lookup<H: Sendable>(_ slot: String, as: H.Type) -> H? {
        guard let list = published.load(ordering: .acquiring)?.takeUnretainedValue().value else { return nil }
        // The entries are read in place: iterating them copied each (its slot
        // name and box retained and released) on every operation on the key.
        return list.entries.withUnsafeBufferPointer { entries in
            for i in entries.indices where entries[i].slot == slot {
                guard entries[i].type == ObjectIdentifier(H.self) else { return nil }
                return unsafeDowncast(entries[i].box, to: Box<H>.self).value
            }
            return nil
        }
    }

    @usableFromInline
    func store<H: Sendable>(_ slot: String, _ made: H) -> H {
        list.update { current, _ in
            var entries = current.entries
            if let i = entries.firstIndex(where: { $0.slot == slot }) {
                if entries[i].type == ObjectIdentifier(H.self) { return (current, unsafeDowncast(entries[i].box, to: Box<H>.self).value) }
                entries[i] = (slot, Box(made), ObjectIdentifier(H.self))
            } else {
                entries.append((slot, Box(made), ObjectIdentifier(H.self)))
            }
            return (List(entries), made)
        }
    }

    /// Drops every cached handle (e.g. a provider was unloaded): they are
    /// built anew on next use. The dropped ones stay alive until the cache goes,
    /// since a reader may still hold one, so this is for rare events, not a loop
    /// (nothing in the package calls it on the request path).
    public func removeAll() {
        guard let box = published.load(ordering: .acquiring) else { return }  // nothing was ever stored
        box.takeUnretainedValue().update { _, _ in (List([]), ()) }
    }
}
