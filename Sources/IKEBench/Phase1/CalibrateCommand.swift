import ArgumentParser
import CommandLineOptions
import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import Providers

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Explain the 2007 figures (165 ms with ncp, 7.73 s without) per possible configuration.",
        discussion: """
            For each configuration the 2007 blog left open (RSA 1024 or 2048, Oakley group 1, 2, \
            5 or 14, DH private values short or full length), one real negotiation runs on the \
            modeled T2000 with ncp/0 and one without, at the published T1 latencies (sparcfp's \
            engine executes and counts every instruction). The table gives both modeled times, the \
            non-cryptographic time the 165 ms run implies (taken as the same without ncp), the \
            without-ncp Phase I that predicts, the extra cycles per FP instruction 7.73 s would \
            require (negative: the configuration already costs more), and a mark where both figures \
            are reproduced within +/-25 % with no penalty. --rsa-bits, --group and --dh-private \
            restrict the table to matching rows. --json prints {published, tolerance, chip, rows: \
            [{rsaBits, group, dhPrivateBits, ...}]}.

            Example:
              ikebench calibrate
              ikebench calibrate --rsa-bits 1024 --json
            """)

    @OptionGroup var negotiated: NegotiatedSuiteOptions
    @OptionGroup var output: JSONOutputOption
    @OptionGroup var chart: ChartOutputOptions

    func run() async throws {
        let configurations = Configuration2007.grid.filter(negotiated.matches)
        let extra = negotiated.configuration(default: Configuration2007.mostPlausible)
        let chosen = configurations.isEmpty ? [extra] : configurations
        let chip = ChipModel.ultraSPARCT1
        let rows = try await PhaseOneExplanation.rows(chosen, chip: chip, prf: negotiated.prfValue, cipher: negotiated.cipherValue)
        if output.isOn {
            try JSONOutput.print(ExplanationTable(rows: rows, chip: chip))
        } else {
            print(ExplanationText.table(rows, chip: chip))
        }
        try chart.write { CalibrationChart.svg(rows, command: ChartOutputOptions.commandLine) }
    }
}

/// The JSON form of the table (rows' field names are read by the SVG drawing).
struct ExplanationTable: Encodable {
    let published: [String: Double]
    let tolerance: Double
    let chip: String
    let rows: [ExplanationRow]

    init(rows: [ExplanationRow], chip: ChipModel) {
        published = ["withNCPSeconds": Published2007.withNCPSeconds, "withoutNCPSeconds": Published2007.withoutNCPSeconds]
        tolerance = PhaseOneExplanation.tolerance
        self.chip = chip.parameterSummary
        self.rows = rows
    }
}
