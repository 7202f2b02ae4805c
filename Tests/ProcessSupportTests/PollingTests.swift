import ProcessSupport
import SystemPrimitives
import Testing

@Suite("Polling")
struct PollingTests {
    @Test("a condition that holds returns at once; one that never holds returns false once the bound has passed")
    func bound() {
        #expect(Polling.until(timeout: 0) { true })
        let start = MonotonicClock.nanoseconds()
        #expect(!Polling.until(timeout: 0.05) { false })
        #expect(MonotonicClock.nanoseconds() - start >= 50_000_000, "returned before its bound")
    }

    @Test("value: the first non-nil answer, checked again until it comes")
    func value() {
        var calls = 0
        #expect(Polling.value { () -> Int? in
            calls += 1
            return calls == 3 ? calls : nil
        } == 3)
        #expect(Polling.value(timeout: 0.02) { Optional<Int>.none } == nil)
    }

    @Test("the async forms, chosen in async code, suspend between checks")
    func async() async throws {
        let start = MonotonicClock.nanoseconds()
        #expect(try await !Polling.until(timeout: 0.05) { false })
        #expect(MonotonicClock.nanoseconds() - start >= 50_000_000, "returned before its bound")
        let calls = Locked(0)
        let answer = try await Polling.value { () -> String? in
            calls.withLock { $0 += 1 }
            return calls.withLock { $0 } >= 2 ? "done" : nil
        }
        #expect(answer == "done")
    }
}
