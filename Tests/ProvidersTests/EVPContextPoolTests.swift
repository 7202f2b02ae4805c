import CryptoFramework
import Dispatch
@testable import ProviderOpenSSL
import Synchronization
import Testing

/// EVPContextPool's first setup (alone in an atomic slot) and the published
/// list of further setups: a context goes back to the pool of the setup it was
/// made for and is handed out again only for that setup, from any thread.
@Suite struct EVPContextPoolTests {
    @Test func eachSetupReusesItsOwnContexts() throws {
        let pool = EVPContextPool()
        var made: [ObjectIdentifier: EVPContextSetup] = [:]
        func use(_ setup: EVPContextSetup) throws -> ObjectIdentifier {
            try pool.withContext(setup, make: {
                let context = try EVPKeyContext(algorithm: "EC")
                made[ObjectIdentifier(context)] = setup
                return context
            }) { ObjectIdentifier($0) }
        }
        let derive = try use(.derive)
        #expect(try use(.derive) == derive, "the first setup's idle context is reused")
        let sign = try use(.ecdsaSign)
        #expect(sign != derive)
        #expect(try use(.ecdsaSign) == sign)
        let verify = try use(.ecdsaVerify)
        #expect(try use(.ecdsaVerify) == verify)
        #expect(try use(.derive) == derive)
        #expect(made.count == 3)
    }

    @Test func racingThreadsGetContextsOfTheSetupTheyAsked() throws {
        let setups: [EVPContextSetup] = [.derive, .ecdsaSign, .ecdsaVerify]
        for _ in 0..<20 {
            let pool = EVPContextPool()
            let madeFor = Locked<[ObjectIdentifier: Int]>([:])
            let wrong = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                for round in 0..<40 {
                    let which = (thread + round) % setups.count
                    let ok = try? pool.withContext(setups[which], make: {
                        let context = try EVPKeyContext(algorithm: "EC")
                        madeFor.withLock { $0[ObjectIdentifier(context)] = which }
                        return context
                    }) { context in madeFor.withLock { $0[ObjectIdentifier(context)] } == which }
                    if ok != true { _ = wrong.add(1, ordering: .relaxed) }
                }
            }
            #expect(wrong.load(ordering: .relaxed) == 0)
        }
    }

    @Test func aContextWhoseOperationThrewIsNotKept() throws {
        struct Failed: Error {}
        let pool = EVPContextPool()
        var failed: EVPKeyContext?  // held, so the next context cannot reuse its address
        #expect(throws: Failed.self) {
            try pool.withContext(.derive, make: { try EVPKeyContext(algorithm: "EC") }) { context in
                failed = context
                throw Failed()
            }
        }
        let next = try pool.withContext(.derive, make: { try EVPKeyContext(algorithm: "EC") }) { $0 }
        #expect(failed != nil && next !== failed)
    }
}
