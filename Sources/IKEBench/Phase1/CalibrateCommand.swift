import ArgumentParser
import CryptoFramework
import Foundation
import IKECore
import Providers

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Solve for the sparcfp FP penalty that reproduces a measured Phase I time.",
        discussion: """
            The workload is one real negotiation's responder operations (the four public-key \
            operations and every PRF, hash and cipher request with its size). The modeled time \
            is linear in the per-FP-instruction trap penalty, so one measurement fixes it.

            With --with-ncp-measured (default 0.165, the 2007 figure with ncp), the time of that \
            measurement not explained by the modeled cryptography (in.iked, kernel, network) is \
            taken as common to both runs and subtracted before solving; pass 0 to attribute the \
            whole measured time to the cryptography.

            Example:
              ikebench calibrate --measured 7.73 --with-ncp-measured 0.165
            """)

    @Option(help: "The measured Phase I responder time in seconds (7.73: the 2007 T2000 without ncp).")
    var measured: Double = Published2007.withoutNCPSeconds

    @Option(name: .customLong("with-ncp-measured"), help: "The measured Phase I with ncp/0 in seconds (0.165 in 2007), or 0.")
    var withNCPMeasured: Double = Published2007.withNCPSeconds

    @OptionGroup var negotiated: NegotiatedSuiteOptions
    @OptionGroup var chart: ChartOutputOptions

    func validate() throws {
        guard measured > 0, measured < 3600 else { throw ValidationError("--measured must be in (0, 3600) seconds") }
        guard withNCPMeasured >= 0, withNCPMeasured < measured else {
            throw ValidationError("--with-ncp-measured must be in [0, --measured)")
        }
    }

    func run() async throws {
        let suite = negotiated.suite
        let (rsaBits, group, prf, cipher) = (negotiated.rsaBits, negotiated.group, negotiated.prf, negotiated.cipher)
        print("workload: one Phase I responder, RSA-\(rsaBits), group \(group), \(cipher)/\(prf)")
        if withNCPMeasured > 0 {
            let solved = try await PhaseOneCalibration.solve(
                measuredSeconds: measured, withNCPMeasuredSeconds: withNCPMeasured, suite: suite, rsaBits: rsaBits)
            print(String(format: "with ncp: measured %.1f ms, modeled cryptography %.3f ms -> %.1f ms of Phase I is not bignum work (in.iked, kernel, network)",
                withNCPMeasured * 1e3, solved.modeledWithNCP * 1e3, solved.otherSeconds * 1e3))
            print(String(format: "without ncp: %.3f s measured - %.1f ms = %.3f s attributed to sparcfp's cryptography",
                measured, solved.otherSeconds * 1e3, measured - solved.otherSeconds))
            print(solved.result.description)
            try chart.write { CalibrationChart.svg([chartRow(solved)], command: ChartOutputOptions.commandLine) }
        } else {
            print(try await PhaseOneCalibration.solve(measuredSeconds: measured, suite: suite, rsaBits: rsaBits).description)
            if chart.path != nil { throw ValidationError("--svg needs --with-ncp-measured above 0 (the chart shows both runs)") }
        }
        print(Published2007.line)
    }

    /// This branch's calibration of one configuration as a row of the chart
    /// (the published latencies, the penalty solved for 7.73 s; the DH private
    /// length is sparcfp's default).
    func chartRow(_ solved: (result: CalibrationResult, modeledWithNCP: Double, otherSeconds: Double)) -> CalibrationChartRow {
        let withNCP = solved.modeledWithNCP, withoutNCP = solved.result.publishedModelSeconds
        let within = { (modeled: Double, measured: Double) in abs(modeled - measured) <= 0.25 * measured }
        return CalibrationChartRow(
            rsaBits: negotiated.rsaBits, group: negotiated.group, dhPrivateBits: nil,
            modeledWithNCPSeconds: withNCP, modeledWithoutNCPSeconds: withoutNCP,
            impliedPenaltyCycles: solved.result.penaltyCycles,
            consistent: within(withNCP, withNCPMeasured) && within(withoutNCP, measured))
    }
}
