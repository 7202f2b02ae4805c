import CryptoFramework
import Dispatch
import Foundation
import Synchronization

/// Runs one speed case on one provider, or unpinned as an application sees
/// the framework: prepares keys once, then as many operations as fit in the
/// time on `threads` threads.
struct SpeedRunner {
    let framework: CryptoFramework
    let seconds: Double
    let threads: Int

    struct Measurement {
        let opsPerSecond: Double
        let modeledLatencySeconds: Double?
        /// Who served the operations (several when selection changed during the run), in order of first service.
        let servedBy: [String]
        /// Host time per operation on one thread, in microseconds.
        var microsecondsPerOperation: Double { 1e6 / opsPerSecond }
    }

    /// Work for one case: a closure returning the operation's result with its
    /// report. (The whole `Reported` is returned and read in place: taking
    /// `.report` out of it copied the report, a retain and release of each of
    /// its fields per operation that was the harness's, not the framework's.
    /// It is returned as the optional ``time(_:)`` takes, so no thunk converts
    /// and copies it on the way.)
    private func workload(_ c: SpeedCase, on view: CryptoFramework) throws -> @Sendable () throws -> Reported<CryptoResult>? {
        let keySource = framework  // keys come from whoever the policy picks; only the timed op is pinned
        if let curve = c.curve { return try ecWorkload(c, curve: curve, on: view) }
        switch c.operation {
        case .sign:
            let key = try keySource.generateRSAKeyPair(bits: c.bits)
            let data = [UInt8](repeating: 0x5a, count: 36)
            return { try view.perform(.sign(c.mechanism, key: key, data: data, pss: nil)) }
        case .verify:
            let key = try keySource.generateRSAKeyPair(bits: c.bits)
            let data = [UInt8](repeating: 0x5a, count: 36)
            let signature = try keySource.sign(c.mechanism, key: key, data: data)
            let pub = key.publicKey
            return {
                let r = try view.perform(.verify(c.mechanism, key: pub, data: data, signature: signature, pss: nil))
                guard try r.value.verified else {
                    throw CryptoError(.signatureInvalid, "speed: a valid signature did not verify")
                }
                return r
            }
        case .generate:
            guard let group = c.group else { throw CryptoError(.argumentsBad, "no IKE group of \(c.bits) bits") }
            return { try view.perform(.generateDHKeyPair(group: group, privateBits: nil)) }
        case .derive:
            guard let group = c.group else { throw CryptoError(.argumentsBad, "no IKE group of \(c.bits) bits") }
            // The provider's own key pair where it makes them: a derive then uses the private-value
            // length it draws (full length on sparcfp, as Solaris' softtoken; twice the strength elsewhere).
            let mine = try (try? view.generateDHKeyPair(group: group)) ?? keySource.generateDHKeyPair(group: group)
            let peer = try keySource.generateDHKeyPair(group: group)
            return { try view.perform(.deriveDH(privateKey: mine.privateKey, peerPublicValue: peer.publicValue)) }
        }
    }

    /// Work for one EC case: the keys made once by whoever the policy picks
    /// (the derive's own key by the measured provider where it makes them).
    private func ecWorkload(_ c: SpeedCase, curve: ECCurve, on view: CryptoFramework) throws -> @Sendable () throws -> Reported<CryptoResult>? {
        let data = c.message
        switch c.operation {
        case .sign:
            let key = try framework.generateECKeyPair(curve: curve)
            return { try view.perform(.signEC(c.mechanism, key: key, data: data)) }
        case .verify:
            let key = try framework.generateECKeyPair(curve: curve)
            let signature = try framework.sign(c.mechanism, key: key, data: data)
            guard let publicKey = key.publicKey else { throw CryptoError(.keyInvalid, "speed: a generated \(curve) key without its public key") }
            return {
                let r = try view.perform(.verifyEC(c.mechanism, key: publicKey, data: data, signature: signature))
                guard try r.value.verified else { throw CryptoError(.signatureInvalid, "speed: a valid signature did not verify") }
                return r
            }
        case .derive:
            let mine = try (try? view.generateECKeyPair(curve: curve)) ?? framework.generateECKeyPair(curve: curve)
            guard let peer = try framework.generateECKeyPair(curve: curve).publicKey else {
                throw CryptoError(.keyInvalid, "speed: a generated \(curve) key without its public key")
            }
            return { try view.perform(.deriveECDH(privateKey: mine, peerPublicValue: peer.point, parameters: .null)) }
        case .generate:
            return { try view.perform(.generateECKeyPair(curve: curve)) }
        }
    }

    /// `provider` nil: the framework unpinned, selection included (the `auto` row).
    func measure(_ c: SpeedCase, provider: String?) throws -> Measurement {
        let view = try provider.map { try framework.pinned(to: $0) } ?? framework
        let op = try workload(c, on: view)
        return try time(op)
    }

    /// libsodium called directly for the case's operation (no framework, no report).
    func measureSodiumDirect(_ kind: SodiumDirect.Operation, message: [UInt8]) throws -> Measurement {
        let op = try SodiumDirect.workload(kind, message: message)
        return try time { try op(); return nil }
    }

    /// Runs `op` on `threads` threads until the time is up; a nil result (a direct call) names no provider.
    private func time(_ op: @Sendable () throws -> Reported<CryptoResult>?) throws -> Measurement {
        _ = try op()  // warm caches (native key handles) before timing
        let deadline = MonotonicClock.nanoseconds() + UInt64(seconds * 1e9)
        let total = Atomic<Int>(0)
        let modeled = Locked<(sum: Double, count: Int, servedBy: [String])>((0, 0, []))
        let firstError = Locked<(any Error)?>(nil)
        let start = MonotonicClock.nanoseconds()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var n = 0
            var modeledSum = 0.0, modeledCount = 0
            var servedBy: [String] = []
            do {
                // The clock is read every 8 operations, so a microsecond operation
                // is not timed with a clock read of its own (the rate divides by
                // the elapsed time measured after the loop, overshoot included).
                while n & 7 != 0 || MonotonicClock.nanoseconds() < deadline {
                    guard let reported = try op() else {
                        n += 1
                        continue
                    }
                    n += 1
                    // A composed request (Selection rule 6) is named by both halves: "ncp/0+sparcfp".
                    let who = reported.report.composedWith.map { "\(reported.report.provider)+\($0.digestProvider)" } ?? reported.report.provider
                    if servedBy.last != who, !servedBy.contains(who) { servedBy.append(who) }
                    if let s = reported.report.modeledSeconds {
                        modeledSum += s
                        modeledCount += 1
                    }
                }
            } catch {
                firstError.withLock { $0 = $0 ?? error }
            }
            total.wrappingAdd(n, ordering: .relaxed)
            modeled.withLock {
                $0.sum += modeledSum
                $0.count += modeledCount
                for name in servedBy where !$0.servedBy.contains(name) { $0.servedBy.append(name) }
            }
        }
        if let error = firstError.withLock({ $0 }) { throw error }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        let m = modeled.withLock { $0 }
        return Measurement(
            opsPerSecond: Double(total.load(ordering: .relaxed)) / elapsed,
            modeledLatencySeconds: m.count > 0 ? m.sum / Double(m.count) : nil, servedBy: m.servedBy)
    }
}
