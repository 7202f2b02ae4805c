import CryptoFramework
import Dispatch

/// The framework's own cost per request: the same cheap request (SHA-256 of
/// nothing) through the framework and straight to the provider.
struct DispatchOverhead {
    let framework: CryptoFramework
    let iterations = 200_000

    struct Result {
        let provider: String
        let frameworkNanoseconds: Double
        let directNanoseconds: Double
        var overheadNanoseconds: Double { frameworkNanoseconds - directNanoseconds }
    }

    func measure() throws -> Result? {
        let request = CryptoRequest.digest(.sha256, data: [])
        guard let name = try? framework.perform(request).report.provider,
            let provider = framework.provider(named: name)
        else { return nil }
        let view = try framework.pinned(to: name)
        // Interleave rounds so drift in machine load hits both sides alike; keep the best round.
        var bestFramework = Double.infinity, bestDirect = Double.infinity
        for _ in 0..<5 {
            var t0 = MonotonicClock.nanoseconds()
            for _ in 0..<iterations { _ = try view.perform(request) }
            bestFramework = min(bestFramework, Double(MonotonicClock.nanoseconds() - t0) / Double(iterations))
            t0 = MonotonicClock.nanoseconds()
            for _ in 0..<iterations { _ = try provider.perform(request, context: OperationContext()) }
            bestDirect = min(bestDirect, Double(MonotonicClock.nanoseconds() - t0) / Double(iterations))
        }
        return Result(provider: name, frameworkNanoseconds: bestFramework, directNanoseconds: bestDirect)
    }
}
