import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import TextFormat

/// The side-by-side table of ``RetellRun``: per phase, Phase I p50 from the
/// responder charon's log and from the initiator, who served the four
/// public-key operations (the responder's kstats), `ikebench serve` under the
/// same configuration, and the 2007 figures.
public enum RetellReport {
    /// The four public-key operations of a Phase I responder, as ``ServedOperation`` names them.
    static let operations: [(label: String, served: String)] = [
        ("RSA sign (token key)", "sign"), ("RSA verify (peer's key)", "verify"),
        ("DH key pair", "generateDHKeyPair"), ("DH shared secret", "deriveDH"),
    ]

    public static func text(_ r: RetellRun.Result) -> String {
        let o = r.options
        let penalty = o.fpTrapPenalty.map { String(format: ", FP trap penalty %.1f cycles", $0) } ?? ", published T1 FP latencies"
        var out = [
            "The 2007 experiment with strongSwan: IKEv1 Main Mode, RSA-\(o.rsaBits) signatures, \(o.proposal)",
            "responder: charon pid \(r.responderPID), pkcs11 plugin on \((o.module as NSString).lastPathComponent) "
                + "(private key on its token; platform t2000, \(o.timing.text)\(penalty))",
            "initiator: charon pid \(r.initiatorPID) (openssl), first retransmission after \(SecondsFormat.text(o.initiatorRetransmitTimeout))",
            "",
        ]
        // A label, then one column per phase (cells beyond the last take its layout).
        let table = TextTable([.left(34), .right(26)], separator: "")
        func row(_ label: String, _ cells: [String]) {
            out.append(table.row([label] + cells))
        }
        let headers = ["ncp/0 enabled", "after disable ncp/0 all", "after enable ncp/0 all"]
        row("", r.phases.indices.map { $0 < headers.count ? headers[$0] : r.phases[$0].label })
        row("IKE SAs established", r.phases.map { "\($0.negotiations.filter(\.established).count)/\($0.negotiations.count)" })
        row("Phase I p50, responder (charon log)", r.phases.map { median($0.responderSeconds).map(SecondsFormat.text) ?? "-" })
        row("Phase I p50, initiator (swanctl)", r.phases.map { median($0.negotiations.map(\.initiatorSeconds)).map(SecondsFormat.text) ?? "-" })
        row("retransmitted requests", r.phases.map { String($0.retransmits) })
        for operation in operations {
            row(operation.label, r.phases.map { servedBy($0.served, operation.served) })
        }
        if let serve = r.serve {
            row("ikebench serve p50 (initiator)", [serve.withNCP, serve.withoutNCP].map {
                median($0.map(\.initiatorSeconds)).map(SecondsFormat.text) ?? "-"
            } + ["-"])
        } else {
            row("ikebench serve", ["not run: \(r.serveUnavailable ?? "-")"])
        }
        row("published 2007 (in.iked, T2000)", [SecondsFormat.text(Published2007.withNCPSeconds), SecondsFormat.text(Published2007.withoutNCPSeconds), "-"])
        out.append("")
        out.append("Phase I on the responder runs from message 1 received to message 6 sent, from charon's own log "
            + "(millisecond timestamps), as the 2007 DTrace script measured in.iked; the initiator's view adds its own work "
            + "and the loopback. Providers are the responder's kstats (cryptoadm kstat) over each phase; a verify on sparcfp "
            + "with ncp/0 enabled is charon checking a certificate's sha256WithRSA signature (CKM_SHA256_RSA_PKCS), "
            + "which ncp/0 does not offer.")
        return out.joined(separator: "\n") + "\n"
    }

    /// "ncp/0 ×5" or "ncp/0 ×4, sparcfp ×1": who served `operation` in a phase.
    static func servedBy(_ served: [String: [String: Int]], _ operation: String) -> String {
        var counts: [(provider: String, count: Int)] = []
        for (provider, byOperation) in served {
            if let n = byOperation[operation] { counts.append((provider, n)) }
        }
        counts.sort { $0.count != $1.count ? $0.count > $1.count : $0.provider < $1.provider }
        if counts.isEmpty { return "none" }
        return counts.map { "\($0.provider) ×\($0.count)" }.joined(separator: ", ")
    }
}
