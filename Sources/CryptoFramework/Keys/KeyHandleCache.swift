import Synchronization

/// Native handles (an EVP_PKEY, a set of mpz values, a PKCS#11 object) that
/// providers build from a key once and keep behind the key value, so a hot loop
/// never re-imports a key. One cache per key; entries live as long as the key.
///
/// Every operation on the key reads its cache, so a read takes no lock. Most
/// keys hold one handle (an IKE SA's ephemeral ECDH key and its peer's point
/// each get the one provider that used them), so the first handle stored sits
/// alone in an atomic slot, one object set once and never replaced. A second
/// slot, a handle of another type under the first slot's name, or
/// ``removeAll()`` makes the general form: an immutable list, ``Published``,
/// seeded with the first entry, a new slot publishing a longer copy (a key
/// holds a handful of slots, one per provider that used it). Once the list
/// exists it alone is read. A key's first handle therefore costs one
/// allocation (its entry), where the list made five (the publisher, its lock,
/// its kept array, the list and a box) and freed them with the key.
public final class KeyHandleCache: Sendable {
    /// One stored handle: its slot name and the type it was stored as, so a
    /// read compares metadata pointers and downcasts (a cast from an
    /// existential would go through the runtime's dynamic cast every time).
    @usableFromInline
    class Entry: @unchecked Sendable {  // immutable; its subclass holds a Sendable value
        @usableFromInline let slot: String
        @usableFromInline let type: ObjectIdentifier
        init(slot: String, type: ObjectIdentifier) {
            self.slot = slot
            self.type = type
        }
    }

    /// An entry with its value, read with an unchecked downcast once `type` matched.
    @usableFromInline
    final class TypedEntry<H: Sendable>: Entry, @unchecked Sendable {  // immutable
        @usableFromInline let value: H
        init(slot: String, _ value: H) {
            self.value = value
            super.init(slot: slot, type: ObjectIdentifier(H.self))
        }
    }

    /// The general form's entries.
    @usableFromInline
    final class List: Sendable {
        @usableFromInline let entries: [Entry]
        init(_ entries: [Entry]) { self.entries = entries }
    }

    /// The first handle stored, set once (compare-and-exchange from nil) and
    /// never replaced; read only while ``published`` is nil. Holds a +1
    /// reference released in deinit.
    @usableFromInline let first = Atomic<Unmanaged<Entry>?>(nil)

    /// The general form, made when the first entry is not enough (every list
    /// published stays alive with the cache). Holds a +1 reference released
    /// in deinit. (Atomic references of concrete classes, as in
    /// OperationContext: Synchronization's generic AtomicLazyReference looked
    /// up its type metadata on every load.)
    @usableFromInline let published = Atomic<Unmanaged<Published<List>>?>(nil)

    public init() {}

    deinit {
        published.load(ordering: .acquiring)?.release()
        first.load(ordering: .acquiring)?.release()
    }

    /// The publisher, made and installed on first use, seeded with the first
    /// entry (set before any caller gets here); two threads racing here both
    /// get the one installed.
    private var list: Published<List> {
        if let box = published.load(ordering: .acquiring) { return box.takeUnretainedValue() }
        let seed = first.load(ordering: .acquiring).map { [$0.takeUnretainedValue()] } ?? []
        let made = Unmanaged.passRetained(Published(List(seed)))
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
        if let box = published.load(ordering: .acquiring) {
            // The entries are read in place: iterating them copied each (its
            // slot name and entry retained and released) on every operation.
            return box.takeUnretainedValue().value.entries.withUnsafeBufferPointer { entries in
                for i in entries.indices where entries[i].slot == slot {
                    guard entries[i].type == ObjectIdentifier(H.self) else { return nil }
                    return unsafeDowncast(entries[i], to: TypedEntry<H>.self).value
                }
                return nil
            }
        }
        // No list (it is published only after the first entry is set, and
        // holds that entry): the first entry is the whole cache.
        guard let entry = first.load(ordering: .acquiring)?.takeUnretainedValue(), entry.slot == slot,
            entry.type == ObjectIdentifier(H.self)
        else { return nil }
        return unsafeDowncast(entry, to: TypedEntry<H>.self).value
    }

    @usableFromInline
    func store<H: Sendable>(_ slot: String, _ made: H) -> H {
        if published.load(ordering: .acquiring) == nil {
            if first.load(ordering: .acquiring) == nil {
                let entry = Unmanaged.passRetained(TypedEntry(slot: slot, made) as Entry)
                if first.compareExchange(expected: nil, desired: entry, ordering: .acquiringAndReleasing).exchanged { return made }
                entry.release()  // another store set the first entry: go on as if it had come first
            }
            // The first entry is set and immutable. The same slot and type: it wins the race.
            let current = first.load(ordering: .acquiring)!.takeUnretainedValue()
            if current.slot == slot, current.type == ObjectIdentifier(H.self), published.load(ordering: .acquiring) == nil {
                return unsafeDowncast(current, to: TypedEntry<H>.self).value
            }
        }
        return list.update { current, _ in
            var entries = current.entries
            if let i = entries.firstIndex(where: { $0.slot == slot }) {
                if entries[i].type == ObjectIdentifier(H.self) { return (current, unsafeDowncast(entries[i], to: TypedEntry<H>.self).value) }
                entries[i] = TypedEntry(slot: slot, made)
            } else {
                entries.append(TypedEntry(slot: slot, made))
            }
            return (List(entries), made)
        }
    }

    /// Drops every cached handle (e.g. a provider was unloaded): they are
    /// built anew on next use. The dropped ones stay alive until the cache goes,
    /// since a reader may still hold one, so this is for rare events, not a loop
    /// (nothing in the package calls it on the request path).
    public func removeAll() {
        // Nothing stored yet: nothing to drop (a store racing with this one
        // counts as coming after it).
        guard published.load(ordering: .acquiring) != nil || first.load(ordering: .acquiring) != nil else { return }
        list.update { _, _ in (List([]), ()) }
    }
}
