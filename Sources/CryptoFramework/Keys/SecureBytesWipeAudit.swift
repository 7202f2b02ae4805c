import Synchronization

/// A test's window on the wipe: while an audit runs, every SecureBytes buffer
/// is inspected after `explicit_bzero` and before it goes back to the
/// allocator, and the audit counts the buffers it saw and those that were not
/// all zeros. Off (one relaxed atomic load per release) unless a test starts it.
public enum SecureBytesWipeAudit {
    /// What an audit saw.
    public struct Tally: Sendable, Equatable {
        public var buffers = 0
        public var bytes = 0
        public var notZeroed = 0
        /// How many buffers of each length were released.
        public var lengths: [Int: Int] = [:]
    }

    /// On while an audit runs; also makes audits take turns (tests run in parallel).
    private static let active = Atomic<Bool>(false)
    private static let tally = Locked(Tally())

    /// Runs `body` with the audit on and returns what it saw of the buffers released meanwhile
    /// (by any thread: other work running at the same time adds to the count, never to `notZeroed`).
    public static func run(_ body: () async throws -> Void) async rethrows -> Tally {
        while !active.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            await Task.yield()
        }
        defer { active.store(false, ordering: .releasing) }
        tally.withLock { $0 = Tally() }
        try await body()
        return tally.withLock { $0 }
    }

    /// `buffer`: the whole wiped allocation; `length`: the bytes the secret asked for (its key in ``Tally/lengths``).
    static func inspect(_ buffer: UnsafeRawBufferPointer, length: Int) {
        guard active.load(ordering: .relaxed) else { return }
        let zeroed = buffer.allSatisfy { $0 == 0 }
        tally.withLock {
            $0.buffers += 1
            $0.bytes += length
            $0.lengths[length, default: 0] += 1
            if !zeroed { $0.notZeroed += 1 }
        }
    }
}
