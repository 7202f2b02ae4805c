import ProviderGMP
import CryptoFramework
import EmulatedHardware
import Foundation

/// sparcfp's timed mode: a result is released no earlier than its modeled T1
/// time × scale after the request reached the provider, as a strand of the
/// T2000 would have been busy that long. Each request holds on its own (one
/// strand per request); the shared FPU's contention between concurrent
/// requests is in ``modeledThroughput(mechanism:operation:keyBits:)``, not in the hold.
extension SPARCFloatProvider {
    /// The wall-clock nanoseconds this request must take, recorded in
    /// `context` under ``EmulatedTiming/holdCountName``; nil when fast.
    private func recordedHold(_ context: OperationContext) -> UInt64? {
        guard !context.isFrameworkCheck, let modeled = context.modeledSeconds, let hold = timing.holdNanoseconds(modeledSeconds: modeled) else {
            return nil
        }
        context.count(EmulatedTiming.holdCountName, Int(clamping: hold))
        return hold
    }

    /// Blocks the calling thread until the hold has passed (the synchronous API,
    /// a PKCS#11 caller's thread).
    func holdOnThread(since start: UInt64, context: OperationContext) {
        guard let hold = recordedHold(context) else { return }
        let deadline = start &+ hold
        while true {
            let now = MonotonicClock.nanoseconds()
            guard now < deadline else { return }
            Thread.sleep(forTimeInterval: Double(deadline - now) / 1e9)
        }
    }

    /// Suspends the task (holding no thread) until the hold has passed. A
    /// cancelled task gets its result at once: it is already computed and correct.
    func holdSuspended(since start: UInt64, context: OperationContext) async {
        guard let hold = recordedHold(context) else { return }
        let deadline = start &+ hold
        let now = MonotonicClock.nanoseconds()
        guard now < deadline else { return }
        try? await Task.sleep(nanoseconds: deadline - now)
    }
}
