import CryptoFramework
import IKEProtocol
import Foundation

/// The text form of `ikebench calibrate`.
public enum ExplanationText {
    public static func table(_ rows: [ExplanationRow], chip: ChipModel) -> String {
        let c = ReportText.cols, t = ReportText.time
        var out = [
            "What the 2007 T2000 figures imply (165 ms with ncp, 7.73 s without), per configuration,",
            "at the published latencies (\(chip.parameterSummary)).",
            "",
            c([("RSA", 5), ("group", 6), ("DH x", 6), ("with ncp", 11), ("non-crypto", 11), ("without ncp", 12),
               ("predicted", 11), ("vs 7.73 s", 10), ("penalty needed", 17), ("", -10)]),
        ]
        for r in rows {
            let deviation = String(format: "%+.0f %%", (r.predictedWithoutNCPSeconds / Published2007.withoutNCPSeconds - 1) * 100)
            out.append(c([(String(r.rsaBits), 5), (String(r.group), 6), (String(r.dhPrivateBits), 6),
                          (t(r.modeledWithNCPSeconds), 11), (t(r.impliedNonCryptoSeconds), 11),
                          (t(r.modeledWithoutNCPSeconds), 12), (t(r.predictedWithoutNCPSeconds), 11), (deviation, 10),
                          (String(format: "%+.1f cyc/FP", r.impliedPenaltyCycles), 17),
                          (r.consistent ? "consistent" : "", -10)]))
        }
        out += [
            "",
            "with ncp / without ncp: modeled cryptography of one responder (one real negotiation each, sparcfp counting every instruction).",
            "non-crypto: 165 ms minus the with-ncp cryptography — in.iked, kernel and network, taken as the same in both runs.",
            "predicted: without-ncp cryptography + non-crypto. penalty needed: extra cycles per FP instruction that 7.73 s",
            "would require (negative: the configuration already costs more). consistent: both figures within ±\(Int(PhaseOneExplanation.tolerance * 100)) %, no penalty.",
            "The T1 runs every instruction of mont_mulf (fmuld, faddd, fsubd, fdtox, fxtod, fitod, ldd, std) in hardware",
            "(OpenSPARC T1 fpu_in_ctl.v, fpu_add_ctl.v); which configuration ran in 2007, and what in.iked's own code",
            "(closed-source libike) added, are not recorded: docs/sparcfp.md.",
        ]
        return out.joined(separator: "\n")
    }
}
