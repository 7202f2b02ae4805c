import Synchronization

/// An object many threads read without a lock and few replace: the one in
/// force is read through an atomic reference, and every object ever published
/// stays alive with the holder, so a reader's unretained reference is never
/// freed under it. For small things replaced rarely (a key's handle list, a
/// pool's setups), where keeping the old versions costs little.
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

    /// Runs `body` on the object in force, one replacement at a time, and
    /// publishes the object it returns (when it is another one); returns what
    /// `body` answered beside it.
    public func update<R>(_ body: (Object) -> (Object, R)) -> R {
        kept.withLock { kept in
            let old = current.load(ordering: .acquiring).takeUnretainedValue()
            let (next, answer) = body(old)
            if next !== old {
                kept.append(next)
                current.store(Unmanaged.passUnretained(next), ordering: .releasing)
            }
            return answer
        }
    }
}
