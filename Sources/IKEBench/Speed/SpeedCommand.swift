import ArgumentParser
import CryptoFramework
import Foundation
import Providers

struct SpeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speed",
        abstract: "Measure operations per second per provider, mechanism, key size and operation.",
        discussion: """
            Every line is timed through the framework with the view pinned to one provider, \
            so the figure includes selection, policy and accounting. Keys are made once, \
            before timing. --vs-openssl runs `openssl speed` for the same RSA sizes in the \
            same run and prints our figure as a ratio of it.

            Example:
              ikebench speed --rsa-bits 2048 --groups 14 --threads 2 --vs-openssl
            """)

    @Option(help: "Platforms whose providers are measured, comma-separated (host, t2000). `host,t2000` puts the T1 emulations beside the host's software in one table.")
    var platform: String = "host"

    var platformNames: [String] { platform.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }

    @Option(name: .customLong("provider"), help: "Measure only this provider (repeatable). Default: every provider that offers the mechanism.")
    var providers: [String] = []

    @Option(name: .customLong("rsa-bits"), parsing: .upToNextOption, help: "RSA modulus sizes.")
    var rsaBits: [Int] = [1024, 2048]

    @Option(name: .customLong("groups"), parsing: .upToNextOption, help: "IKE MODP groups for DH generate and derive.")
    var groups: [Int] = [2, 14]

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 1

    @Option(help: "Threads issuing operations at once.")
    var threads: Int = 1

    @Flag(name: .customLong("vs-openssl"), help: "Also run `openssl speed` and print the ratio.")
    var vsOpenSSL = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var chart: ChartOutputOptions

    @Option(help: "Policy file (kcf.conf). Default: $CRYPTOFRAMEWORK_CONF, else ~/.config/cryptoframework/kcf.conf.")
    var config: String?

    func validate() throws {
        for name in platformNames where Platform.named(name) == nil {
            throw ValidationError("unknown platform '\(name)'; known: \(Platform.all.map(\.name).joined(separator: ", "))")
        }
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be 1...256") }
        if let rounds, !(1...20).contains(rounds) { throw ValidationError("--rounds must be 1...20") }
        for bits in rsaBits where bits < 512 || bits > 16384 {
            throw ValidationError("--rsa-bits \(bits) is outside 512...16384")
        }
        for g in groups where DHGroup.ike(g) == nil {
            throw ValidationError("--groups \(g): not an IKE MODP group (1, 2, 5, 14, 15, 16, 17, 18)")
        }
    }

    @Option(help: "Rounds per line; the best round is kept. Default: 3 with --vs-openssl (ours and openssl speed alternate, so both see the same machine), else 1.")
    var rounds: Int?

    func run() throws {
        let policy: PolicySource = config.map { .file(URL(fileURLWithPath: $0)) } ?? .default
        let reference = vsOpenSSL ? OpenSSLSpeedReference(seconds: max(1, Int(seconds.rounded())), threads: threads) : nil
        let roundCount = rounds ?? (vsOpenSSL ? 3 : 1)
        // openssl speed figures per (bits, round): one run gives sign and verify.
        var referenceRuns: [Int: [(sign: Double, verify: Double)?]] = [:]

        var rows: [SpeedRow] = []
        var dispatch: DispatchOverhead.Result? = nil
        let table = SpeedTable(json: json)
        table.printHeader(platform: platform, threads: threads, seconds: seconds, rounds: roundCount)
        // A provider present on two platforms (ncp/0) is the same emulation: measured once.
        var measuredProviders: Set<String> = []
        for platformName in platformNames {
            let fw = try CryptoFramework(platform: Platform.named(platformName)!, policy: policy)
            let fresh = Set(fw.providers.map(\.name)).subtracting(measuredProviders)
            measuredProviders.formUnion(fresh)
            let runner = SpeedRunner(framework: fw, seconds: seconds, threads: threads)
            for c in SpeedCase.defaults(rsaBits: rsaBits, dhGroups: groups) {
                let candidates = fw.providers.filter { d in
                    fresh.contains(d.name) && (providers.isEmpty || providers.contains(d.name)) && fw.isActive(provider: d.name)
                        && (d.info(for: c.mechanism)?.accepts(keyBits: c.bits) ?? false)
                        && fw.policy.allows(provider: d.name, mechanism: c.mechanism)
                }
                var best: [String: SpeedRunner.Measurement] = [:]
                var bestReference: Double? = nil
                for round in 0..<roundCount {
                    if let reference, c.opensslAlgorithm != nil {
                        var runs = referenceRuns[c.bits, default: []]
                        if runs.count <= round { runs.append(reference.rsa(bits: c.bits)) }
                        referenceRuns[c.bits] = runs
                        if let r = runs[round] {
                            let value = c.operation == .sign ? r.sign : r.verify
                            bestReference = max(bestReference ?? 0, value)
                        }
                    }
                    for d in candidates {
                        let m = try runner.measure(c, provider: d.name)
                        if m.opsPerSecond > best[d.name]?.opsPerSecond ?? -1 { best[d.name] = m }
                    }
                }
                for d in candidates {
                    guard let m = best[d.name] else { continue }
                    let modeledThroughput = fw.provider(named: d.name)?
                        .modeledThroughput(mechanism: c.mechanism, operation: c.operation.rawValue, keyBits: c.bits)
                    let row = SpeedRow(
                        platform: platformName, provider: d.name, mechanism: c.mechanism.name, operation: c.operation.rawValue, bits: c.bits,
                        opsPerSecond: m.opsPerSecond, modeledLatencySeconds: m.modeledLatencySeconds,
                        modeledOpsPerSecond: modeledThroughput, referenceOpsPerSecond: bestReference,
                        ratio: bestReference.map { m.opsPerSecond / $0 })
                    table.printRow(row)
                    rows.append(row)
                }
            }
            if dispatch == nil { dispatch = try DispatchOverhead(framework: fw).measure() }
        }
        try chart.write {
            SpeedChart.svg(rows, platform: platform, threads: threads, seconds: seconds, rounds: roundCount,
                           command: ChartOutputOptions.commandLine)
        }
        table.printFooter(rows: rows, platform: platform, dispatch: dispatch)
    }
}
