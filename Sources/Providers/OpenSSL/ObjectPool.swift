import Synchronization

/// A few reusable objects (libcrypto contexts and scratch space) shared by the
/// threads of a process without a lock: an object sits in one of `capacity`
/// atomic slots while idle, is taken by exchange and put back by
/// compare-and-exchange. Taking from an empty pool answers nil (the caller
/// makes one); putting into a full pool drops the object.
///
/// The slots are one allocation of atomics, read in place: as an array of
/// slot objects, every take and put retained and released the array and each
/// slot it looked at (a borrowed context costs two trips through the pool per
/// operation).
final class ObjectPool<Object: AnyObject & Sendable>: @unchecked Sendable {  // the slots are atomics, allocated once and freed in deinit
    private typealias Slot = Atomic<Unmanaged<Object>?>
    private let slots: UnsafeMutablePointer<Slot>
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        slots = .allocate(capacity: self.capacity)
        for i in 0..<self.capacity { (slots + i).initialize(to: Slot(nil)) }
    }

    deinit {
        for i in 0..<capacity { slots[i].load(ordering: .acquiring)?.release() }
        slots.deinitialize(count: capacity)
        slots.deallocate()
    }

    func take() -> Object? {
        // A plain load first: an empty slot is skipped without writing to its cache line.
        for i in 0..<capacity where slots[i].load(ordering: .relaxed) != nil {
            if let held = slots[i].exchange(nil, ordering: .acquiringAndReleasing) { return held.takeRetainedValue() }
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
        for i in 0..<capacity where slots[i].load(ordering: .relaxed) == nil {
            if slots[i].compareExchange(expected: nil, desired: held, ordering: .acquiringAndReleasing).exchanged { return }
        }
        held.release()
    }
}
