import Foundation
import IKEHarness
import TextFormat

/// `ikebench load`'s human-readable report.
enum LoadText {
    private static let time = SecondsFormat.text

    static func report(_ r: LoadReport) -> String {
        var out = ["\(r.initiator): \(r.concurrency) initiators, \(String(format: "%.1f", r.elapsedSeconds)) s"]
        out.append(String(format: "IKE SAs set up %d, failed %d, %.1f SAs/s", r.established, r.failed, r.saPerSecond))
        out.append("setup time p50 \(time(r.setup.p50)), p90 \(time(r.setup.p90)), p99 \(time(r.setup.p99)), mean \(time(r.setup.mean))")
        if r.established > 0 {
            out.append("initiator CPU \(time(r.initiatorCPUSeconds / Double(r.established))) per SA")
        }
        for (reason, n) in r.failures.sorted(by: { $0.value > $1.value }).prefix(5) {
            out.append("  failed \(n)×: \(reason)")
        }
        if !r.firstFailures.isEmpty {
            out.append("first failures, in full:")
            out += failureLines(r.firstFailures)
        }
        return out.joined(separator: "\n")
    }

    /// One line per kept failure: when, which initiator and its how-manieth setup, and the error in full.
    static func failureLines(_ failures: [LoadFailure]) -> [String] {
        failures.map { f in
            "  " + String(format: "%.3f", f.secondsIntoLoad) + " s, initiator \(f.worker), its setup \(f.setup): \(f.details)"
        }
    }

    static func baseline(_ b: ResponderPublicKeyBaseline) -> String {
        "responder's public-key operations alone (DH group \(b.group), \(b.dhPrivateBits.map { "\($0)-bit" } ?? "default") private value, "
            + "\(b.signatureKey) verify + sign; \(b.providers.joined(separator: ", ")); \(b.rounds) rounds): "
            + "CPU \(time(b.cpuSecondsPerSA)) per SA, wall \(time(b.wallSecondsPerSA))"
    }
}
