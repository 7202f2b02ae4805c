import CryptoFramework
import EmulatedHardware
import ProviderGMP
import ProviderNCP
import ProviderOpenSSL
import ProviderPKCS11
import ProviderSPARCFloat
import ProviderSodium
import Foundation

/// Modeled T1 latencies of the public-key operations of IKE Phase I on sparcfp,
/// from real runs of the provider (for docs/sparcfp.md and `ikebench speed`).
public enum SPARCFloatLatencyTable {
    public struct Row: Sendable {
        public let operation: String
        public let modeledSeconds: Double
        public let fpInstructions: Int
        public let montgomeryMultiplies: Int
        public let hostSeconds: Double
    }

    /// RSA-1024/2048 sign and verify (CKM_RSA_PKCS, e = 65537) and DH derive
    /// for groups 2, 5 and 14, with short private values (twice the group's strength) and full-length ones.
    public static func rows(chip: ChipModel = .ultraSPARCT1) throws -> [Row] {
        let sparc = SPARCFloatProvider(chip: chip)
        let host = OpenSSLProvider()
        var rows: [Row] = []
        func measure(_ name: String, _ request: CryptoRequest) throws -> CryptoResult {
            let context = OperationContext()
            let start = MonotonicClock.nanoseconds()
            let result = try sparc.perform(request, context: context)
            let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
            let counts = context.work.tally(FloatOpCounts.self) ?? FloatOpCounts()
            rows.append(Row(operation: name, modeledSeconds: context.modeledSeconds ?? 0,
                            fpInstructions: counts.floatingPointOperations,
                            montgomeryMultiplies: counts.montgomeryMultiplies, hostSeconds: elapsed))
            return result
        }
        let hash = [UInt8](repeating: 0x5A, count: 20)
        for bits in [1024, 2048] {
            let key = try host.perform(.generateRSAKeyPair(bits: bits, publicExponent: []), context: OperationContext()).rsaKeyPair
            let signature = try measure("RSA-\(bits) sign (CRT, blinded, checked)", .sign(.rsaPKCS, key: key, data: hash, pss: nil)).bytes
            _ = try measure("RSA-\(bits) verify", .verify(.rsaPKCS, key: key.publicKey, data: hash, signature: signature, pss: nil))
        }
        for group in [DHGroup.modp2, .modp5, .modp14] {
            for x in [group.defaultPrivateBits, group.bits] {
                let peer = try host.perform(.generateDHKeyPair(group: group, privateBits: nil), context: OperationContext()).dhKeyPair
                let mine = try sparc.perform(.generateDHKeyPair(group: group, privateBits: x), context: OperationContext()).dhKeyPair
                _ = try measure("DH group \(group.number!) (\(group.bits)-bit p, \(x)-bit x) derive",
                                .deriveDH(privateKey: mine.privateKey, peerPublicValue: peer.publicValue))
            }
        }
        return rows
    }

    /// The rows as a Markdown table, with the parameters.
    public static func markdown(_ rows: [Row], chip: ChipModel = .ultraSPARCT1) -> String {
        var lines = [
            "| operation | modeled T1 latency | FP instructions | mont_mulf calls | host time (this run) |",
            "|---|---:|---:|---:|---:|",
        ]
        for r in rows {
            lines.append(String(format: "| %@ | %.1f ms | %d | %d | %.2f ms |",
                                r.operation, r.modeledSeconds * 1e3, r.fpInstructions, r.montgomeryMultiplies, r.hostSeconds * 1e3))
        }
        lines.append("")
        lines.append("Parameters: \(chip.parameterSummary).")
        return lines.joined(separator: "\n")
    }
}
