import Synchronization

/// A few reusable objects (libcrypto contexts and scratch space) shared by the
/// threads of a process without a lock: an object sits in one of `capacity`
/// atomic slots while idle, is taken by exchange and put back by
/// compare-and-exchange. Taking from an empty pool answers nil (the caller
/// makes one); putting into a full pool drops the object.
final class ObjectPool<Object: AnyObject & Sendable>: Sendable {
    private final class Slot: Sendable {
        let held = Atomic<Unmanaged<Object>?>(nil)
        deinit { held.load(ordering: .acquiring)?.release() }
    }
    private let slots: [Slot]

    init(capacity: Int) {
        slots = (0..<max(capacity, 1)).map { _ in Slot() }
    }

    func take() -> Object? {
        // A plain load first: an empty slot is skipped without writing to its cache line.
        for slot in slots where slot.held.load(ordering: .relaxed) != nil {
            if let held = slot.held.exchange(nil, ordering: .acquiringAndReleasing) { return held.takeRetainedValue() }
        }
        return nil
    }

    /// Runs `body` with an idle object, or one `make` builds, and keeps it for
    /// the next caller unless `body` threw (a failed operation may have left
    /// it in any state).
    func borrow<R>(make: () throws -> Object, _ body: (Object) throws -> R) throws -> R {
        let object = try take() ?? make()
        let result = try body(object)
        put(object)
        return result
    }

    func put(_ object: Object) {
        let held = Unmanaged.passRetained(object)
        for slot in slots where slot.held.load(ordering: .relaxed) == nil {
            if slot.held.compareExchange(expected: nil, desired: held, ordering: .acquiringAndReleasing).exchanged { return }
        }
        held.release()
    }
}
