import Dispatch
@testable import ProviderOpenSSL
import Synchronization
import CryptoFramework
import Testing

/// The openssl provider's lock-free pool of idle contexts: what is put is
/// taken back, a full pool drops the extra object, an empty one answers nil,
/// and objects still held when the pool goes are released with it.
@Suite struct ObjectPoolTests {
    final class Token: Sendable {
        let id: Int
        init(_ id: Int) { self.id = id }
    }

    @Test func takesBackWhatWasPutAndNothingMore() {
        let pool = ObjectPool<Token>(capacity: 3)
        #expect(pool.take() == nil)
        let tokens = (0..<4).map(Token.init)
        for t in tokens { pool.put(t) }  // the fourth does not fit
        var taken: [Int] = []
        while let t = pool.take() { taken.append(t.id) }
        #expect(taken.sorted() == [0, 1, 2])
        #expect(pool.take() == nil)
    }

    @Test func borrowKeepsTheObjectUnlessTheBodyThrows() throws {
        struct Failure: Error {}
        let pool = ObjectPool<Token>(capacity: 2)
        var made = 0
        let first = try pool.borrow(make: { made += 1; return Token(made) }) { $0.id }
        let second = try pool.borrow(make: { made += 1; return Token(made) }) { $0.id }
        #expect(first == 1 && second == 1 && made == 1)
        #expect(throws: Failure.self) { try pool.borrow(make: { made += 1; return Token(made) }) { _ in throw Failure() } }
        // The object the failed body had was not put back: the next borrow makes a new one.
        let third = try pool.borrow(make: { made += 1; return Token(made) }) { $0.id }
        #expect(third == 2)
    }

    @Test func heldObjectsAreReleasedWithThePool() {
        weak var held: Token?
        do {
            let pool = ObjectPool<Token>(capacity: 2)
            let token = Token(9)
            held = token
            pool.put(token)
        }
        #expect(held == nil)
    }

    final class Tracker: Sendable {
        let inUse = Locked<Set<ObjectIdentifier>>([])  // Locked, not Mutex: ThreadSanitizer sees its pthread mutex (make sanitize-thread runs this suite)
        let clashes = Atomic<Int>(0)
    }

    @Test func threadsSharingThePoolNeverGetTheSameObjectAtOnce() {
        let pool = ObjectPool<Token>(capacity: 4)
        let tracker = Tracker()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<500 {
                _ = try? pool.borrow(make: { Token(0) }) { token in
                    let id = ObjectIdentifier(token)
                    if !tracker.inUse.withLock({ $0.insert(id).inserted }) { tracker.clashes.add(1, ordering: .relaxed) }
                    tracker.inUse.withLock { _ = $0.remove(id) }
                }
            }
        }
        #expect(tracker.clashes.load(ordering: .relaxed) == 0)
    }
}
