import CryptoFramework
import EmulatedHardware
import Synchronization

/// One core's cipher/hash unit and its control-word queue, emulated: at most
/// `capacity` jobs admitted at a time (a full queue answers busy, and the
/// framework overflows to software), and in timed mode a modeled schedule —
/// each job starts when the unit is free and holds the unit for its modeled
/// time, so concurrent requests on one core queue in real time without a lock
/// held while they wait.
final class CipherWorkQueue: Sendable {
    let id: Int
    let capacity: Int
    private struct State {
        var occupancy = 0
        /// When the unit is next free, in monotonic nanoseconds (timed mode).
        var freeAt: UInt64 = 0
    }
    private let state = Locked(State())
    let submitted = Atomic<Int>(0)
    let controlWords = Atomic<Int>(0)
    let queueFull = Atomic<Int>(0)
    let queueBusy = Atomic<Int>(0)

    init(id: Int, capacity: Int) {
        self.id = id
        self.capacity = capacity
    }

    var occupancy: Int { state.withLock { $0.occupancy } }

    /// Takes a queue slot, or returns false when the queue is full.
    func admit() -> Bool {
        let admitted = state.withLock { s -> Bool in
            guard s.occupancy < capacity else { return false }
            if s.occupancy > 0 { queueBusy.wrappingAdd(1, ordering: .relaxed) }
            s.occupancy += 1
            return true
        }
        if admitted { submitted.wrappingAdd(1, ordering: .relaxed) } else { queueFull.wrappingAdd(1, ordering: .relaxed) }
        return admitted
    }

    /// Reserves the unit for `holdNanoseconds` from when it is next free (not
    /// before `now`) and returns when that reservation ends.
    func reserve(holdNanoseconds: UInt64, now: UInt64) -> UInt64 {
        state.withLock { s in
            let start = max(now, s.freeAt)
            s.freeAt = start &+ holdNanoseconds
            return s.freeAt
        }
    }

    /// Gives the slot back.
    func release(jobs: Int) {
        controlWords.wrappingAdd(jobs, ordering: .relaxed)
        state.withLock { $0.occupancy -= 1 }
    }
}
