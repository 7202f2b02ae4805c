import Dispatch
import Synchronization
import Testing

@testable import CryptoFramework

/// KeyHandleCache's two forms: the first handle alone in its atomic slot, and
/// the published list made for a second slot, a type change or removeAll.
/// Whichever form holds them, a slot answers the handle stored first, racing
/// stores agree, and every handle is released with the cache.
@Suite struct KeyHandleCacheTests {
    final class Handle: Sendable {
        let id: Int
        init(_ id: Int) { self.id = id }
    }

    @Test func firstEntryStaysReadableOnceASecondSlotMakesTheList() {
        let cache = KeyHandleCache()
        let first = cache.handle("a") { Handle(1) }
        #expect(cache.published.load(ordering: .acquiring) == nil, "one handle needs no list")
        #expect(cache.handle("a") { Handle(9) } === first)
        let second = cache.handle("b") { Handle(2) }
        #expect(cache.published.load(ordering: .acquiring) != nil)
        #expect(cache.handle("a") { Handle(9) } === first)
        #expect(cache.handle("b") { Handle(9) } === second)
        #expect(cache.handle("c") { 3 } == 3)
        #expect(cache.handle("a") { Handle(9) } === first)
    }

    @Test func firstSlotAskedForAnotherTypeIsReplacedThenReplacedBack() {
        let cache = KeyHandleCache()
        #expect(cache.handle("slot") { 5 } == 5)
        #expect(cache.handle("slot") { "five" } == "five")
        #expect(cache.handle("slot") { "other" } == "five")
        // Back to the first type: the first entry is not read again once the list exists.
        #expect(cache.handle("slot") { 6 } == 6)
        #expect(cache.handle("slot") { 7 } == 6)
    }

    @Test func removeAllDropsTheFirstEntryAndAnEmptyCacheStaysEmpty() {
        let empty = KeyHandleCache()
        empty.removeAll()
        #expect(empty.published.load(ordering: .acquiring) == nil)
        #expect(empty.handle("slot") { 1 } == 1)

        let cache = KeyHandleCache()
        #expect(cache.handle("slot") { 1 } == 1)
        cache.removeAll()
        #expect(cache.handle("slot") { 2 } == 2)
        #expect(cache.handle("slot") { 3 } == 2)
        cache.removeAll()
        #expect(cache.handle("slot") { 4 } == 4)
    }

    @Test func racingFirstStoresAllGetTheOneThatWon() {
        for _ in 0..<50 {
            let cache = KeyHandleCache()
            let seen = Locked<Set<ObjectIdentifier>>([])
            // No barrier: concurrentPerform runs as many iterations at once as
            // there are cores, so threads waiting for all eight would never start.
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                let handle = cache.handle("slot") { Handle(thread) }
                seen.withLock { _ = $0.insert(ObjectIdentifier(handle)) }
            }
            #expect(seen.withLock { $0.count } == 1)
        }
    }

    @Test func readsOfTheFirstSlotWhileOtherSlotsAreStoredAlwaysSeeIt() {
        for _ in 0..<20 {
            let cache = KeyHandleCache()
            let first = cache.handle("first") { Handle(0) }
            let wrong = Atomic<Int>(0)
            let seen = Locked<[String: Set<ObjectIdentifier>]>([:])
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                for round in 0..<50 {
                    if thread % 2 == 0 {
                        if cache.handle("first", make: { Handle(-1) }) !== first { _ = wrong.add(1, ordering: .relaxed) }
                    } else {
                        let slot = "slot\((round + thread) % 12)"
                        let handle = cache.handle(slot) { Handle(thread) }
                        seen.withLock { _ = $0[slot, default: []].insert(ObjectIdentifier(handle)) }
                    }
                }
            }
            #expect(wrong.load(ordering: .relaxed) == 0)
            for (slot, identities) in seen.withLock({ $0 }) {
                #expect(identities.count == 1, "\(slot) answered \(identities.count) different handles")
            }
            #expect(cache.handle("first") { Handle(-1) } === first)
        }
    }

    @Test func handlesGoWithTheCacheInBothForms() {
        weak var onlyEntry: Handle?
        weak var firstOfTwo: Handle?
        weak var secondOfTwo: Handle?
        weak var dropped: Handle?
        do {
            let one = KeyHandleCache()
            onlyEntry = one.handle("a") { Handle(1) }
            let two = KeyHandleCache()
            firstOfTwo = two.handle("a") { Handle(2) }
            secondOfTwo = two.handle("b") { Handle(3) }
            let removed = KeyHandleCache()
            dropped = removed.handle("a") { Handle(4) }
            removed.removeAll()
            #expect(onlyEntry != nil && firstOfTwo != nil && secondOfTwo != nil)
            #expect(dropped != nil, "a dropped handle stays alive with its cache (a reader may hold it)")
        }
        #expect(onlyEntry == nil)
        #expect(firstOfTwo == nil)
        #expect(secondOfTwo == nil)
        #expect(dropped == nil)
    }
}
