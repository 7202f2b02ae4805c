import CryptoFramework
import EmulatedHardware
import ProviderOpenSSL
import ProviderSPARCFloat

/// Modeled T1 and T2 latencies of sparcfp's software ECC (``MPIFieldCost``)
/// for the EC operations of an IKEv2 responder, from real runs of the provider
/// on each chip (for docs/sparcfp.md): the same field operations, charged at
/// each chip's integer latencies.
public enum SPARCFloatECLatencyTable {
    public struct Row: Sendable {
        public let operation: String
        public let t1Seconds: Double
        public let t2Seconds: Double
        public let work: ECFieldWork
        /// MULX instructions charged (the same on both chips).
        public let multiplies: Int
        public let reductions: Int
    }

    /// Key pair, ECDSA sign (raw, over a SHA-256 hash; the key's pairwise check
    /// already done), verify and ECDH derive, on P-256 and P-384.
    public static func rows() throws -> [Row] {
        let t1 = SPARCFloatProvider(chip: .ultraSPARCT1)
        let t2 = SPARCFloatProvider(chip: .ultraSPARCT2)
        let host = OpenSSLProvider()
        var rows: [Row] = []
        for curve in MPIFieldCost.curves.members {
            let key = try host.perform(.generateECKeyPair(curve: curve), context: OperationContext()).ecKeyPair
            let peer = try host.perform(.generateECKeyPair(curve: curve), context: OperationContext()).ecKeyPair
            let publicKey = try key.publicKey.orThrow(curve)
            let hash = [UInt8](repeating: 0x5A, count: 32)
            // The first use checks the private key against its public key (one more ladder), cached in the key.
            let signature = try t1.perform(.signEC(.ecdsa, key: key, data: hash), context: OperationContext()).bytes
            let requests: [(String, CryptoRequest)] = [
                ("key pair", .generateECKeyPair(curve: curve)),
                ("ECDSA sign", .signEC(.ecdsa, key: key, data: hash)),
                ("ECDSA verify", .verifyEC(.ecdsa, key: publicKey, data: hash, signature: signature)),
                ("ECDH derive", .deriveECDH(privateKey: key, peerPublicValue: try peer.publicKey.orThrow(curve).point, parameters: .null)),
            ]
            for (name, request) in requests {
                let (c1, c2) = (OperationContext(), OperationContext())
                _ = try t1.perform(request, context: c1)
                _ = try t2.perform(request, context: c2)
                let work = c1.work.tally(ECFieldWork.self) ?? ECFieldWork()
                rows.append(Row(
                    operation: "\(curve.name) \(name)", t1Seconds: c1.modeledSeconds ?? 0, t2Seconds: c2.modeledSeconds ?? 0,
                    work: work, multiplies: c1.work.tally(FloatOpCounts.self)?.imul ?? 0,
                    reductions: c1.counts["sparcfp.ec.reduce"] ?? 0))
            }
        }
        return rows
    }

    /// The rows as a Markdown table, with both chips' parameters.
    public static func markdown(_ rows: [Row]) -> String {
        var lines = [
            "| operation | modeled T1 | modeled T2 | field mul / sqr / add / inv | reductions | MULX |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in rows {
            let w = r.work
            lines.append("| \(r.operation) | \(milliseconds(r.t1Seconds)) | \(milliseconds(r.t2Seconds)) | "
                + "\(w.multiplications) / \(w.squarings) / \(w.additions) / \(w.inversions) | \(r.reductions) | \(r.multiplies) |")
        }
        lines.append("")
        lines.append("T1: \(ChipModel.ultraSPARCT1.parameterSummary).")
        lines.append("T2: \(ChipModel.ultraSPARCT2.parameterSummary).")
        return lines.joined(separator: "\n")
    }

    private static func milliseconds(_ seconds: Double) -> String {
        let tenths = Int((seconds * 1e4).rounded())
        return "\(tenths / 10).\(tenths % 10) ms"
    }
}

extension Optional where Wrapped == ECPublicKey {
    fileprivate func orThrow(_ curve: ECCurve) throws -> ECPublicKey {
        guard let self else { throw CryptoError(.keyInvalid, "openssl made a \(curve) key pair without its public key") }
        return self
    }
}
