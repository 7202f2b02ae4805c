import Synchronization

/// An object many threads read without a lock and few replace: the one in
/// force is read through an atomic reference, and every object ever published
/// stays alive with the holder, so a reader's unretained reference is never
/// freed under it. For small things replaced rarely (a key's handle list, a
/// pool's setups, the selection table in force), where keeping the old
/// versions costs little.
public final class Published<Object: AnyObject & Sendable>: Sendable {
    @usableFromInline let current: Atomic<Unmanaged<Object>>
    /// Every object published; the lock also serialises replacements.
    private let kept: Locked<[Object]>

    public init(_ initial: Object) {
        current = Atomic(Unmanaged.passUnretained(initial))
        kept = Locked([initial])
    }

    /// The object in force.
    @inlinable
    public var value: Object { current.load(ordering: .acquiring).takeUnretainedValue() }

    /// Runs `body` on the object in force and every object published so far,
    /// one replacement at a time, and puts the object it returns in force (one
    /// kept already is not kept twice); returns what `body` answered beside it.
    public func update<R>(_ body: (_ current: Object, _ kept: [Object]) -> (Object, R)) -> R {
        kept.withLock { kept in
            let old = current.load(ordering: .acquiring).takeUnretainedValue()
            let (next, answer) = body(old, kept)
            if next !== old {
                if !kept.contains(where: { $0 === next }) { kept.append(next) }
                current.store(Unmanaged.passUnretained(next), ordering: .releasing)
            }
            return answer
        }
    }
}
