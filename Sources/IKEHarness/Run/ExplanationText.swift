import CryptoFramework
import IKEProtocol
import Foundation
import TextFormat

/// The text form of `ikebench calibrate`.
public enum ExplanationText {
    public static func table(_ rows: [ExplanationRow], chip: ChipModel) -> String {
        let table = TextTable([.right(5), .right(6), .right(6), .right(11), .right(11), .right(12), .right(11), .right(10),
                               .right(17), .left(10)])
        let t = SecondsFormat.text
        var out = [
            "What the 2007 T2000 figures imply (165 ms with ncp, 7.73 s without), per configuration,",
            "at the published latencies (\(chip.parameterSummary)).",
            "",
            table.row(["RSA", "group", "DH x", "with ncp", "non-crypto", "without ncp", "predicted", "vs 7.73 s", "penalty needed", ""]),
        ]
        for r in rows {
            let deviation = String(format: "%+.0f %%", (r.predictedWithoutNCPSeconds / Published2007.withoutNCPSeconds - 1) * 100)
            out.append(table.row([String(r.rsaBits), String(r.group), String(r.dhPrivateBits),
                                  t(r.modeledWithNCPSeconds), t(r.impliedNonCryptoSeconds),
                                  t(r.modeledWithoutNCPSeconds), t(r.predictedWithoutNCPSeconds), deviation,
                                  String(format: "%+.1f cyc/FP", r.impliedPenaltyCycles), r.consistent ? "consistent" : ""]))
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
