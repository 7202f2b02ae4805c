import ArgumentParser
import CommandLineOptions
import CryptoFramework
import Foundation
import Providers

struct SpeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speed",
        abstract: "Measure operations per second per provider, mechanism, key size and operation.",
        discussion: """
            Every line is timed through the framework with the view pinned to one provider, \
            so the figure includes selection, policy and accounting; the `auto` line is the \
            framework unpinned, as an application sees it, and names who served it. The \
            candidates are the registry's own (policy, key size, CKF flag). For ncp/0 the \
            overhead column is its host time per job minus the same arithmetic through gmp. \
            Keys are made once, before timing. The EC lines (--no-ec leaves them out) are \
            CKM_ECDSA sign and verify on P-256 and P-384, CKM_ECDH1_DERIVE on P-256 and X25519 \
            and CKM_EDDSA sign and verify, with `sodium-direct` lines: libsodium called without \
            the framework, and the ratio of sodium through the framework to it at the end. \
            --vs-openssl runs `openssl speed` for the same RSA sizes and `ecdsap256 ecdsap384 \
            ecdhp256 ecdhx25519 ed25519` in the same run (with -elapsed: per second of wall time, as our lines \
            count) and prints our figure as a ratio of it. --platform host,t2000 \
            puts the T1 emulations beside the host's software in one table. --rsa-bits and --group take \
            several values (default: RSA 1024 and 2048, groups 2 and 14). --json prints {platform, results: \
            [{platform, provider, servedBy, mechanism, curve, operation, bits, opsPerSecond, ...}], \
            dispatchOverheadNanoseconds}.

            Example:
              ikebench speed --rsa-bits 2048 --group 14 --threads 2 --vs-openssl
              ikebench speed --platform host,t2000 --rsa-bits 1024 2048 --group 2 14
              ikebench speed --platform t2000 --rsa-bits 2048 --group 2 --hash-and-sign
            """)

    @OptionGroup var framework: FrameworkOptions

    @Option(name: .customLong("provider"), help: "Measure only this provider (repeatable; `auto` is the unpinned framework). Default: `auto` and every provider that may serve the line.")
    var providers: [String] = []

    @OptionGroup var keySizes: KeySizeOptions

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 1

    @Option(help: "Threads issuing operations at once.")
    var threads: Int = 1

    @Flag(name: .customLong("vs-openssl"), help: "Also run `openssl speed` and print the ratio.")
    var vsOpenSSL = false

    @Flag(name: .customLong("hash-and-sign"), help: "Also measure CKM_SHA256_RSA_PKCS sign and verify (composed on t2000: a software digest and ncp/0's CKM_RSA_PKCS; the auto line names both).")
    var hashAndSign = false

    @Flag(inversion: .prefixedNo, help: "Whether to measure the EC lines (ECDSA P-256/P-384, ECDH P-256 and X25519, Ed25519, libsodium direct); on by default.")
    var ec = true

    @OptionGroup var chart: ChartOutputOptions

    /// --platform, else host, built with --timing and --fp-trap-penalty (checked in validate()).
    private var platforms: [Platform] {
        get throws { try framework.platforms(default: Platform.host.name) }
    }

    func validate() throws {
        _ = try platforms
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be 1...256") }
        if let rounds, !(1...20).contains(rounds) { throw ValidationError("--rounds must be 1...20") }
    }

    /// RSA sizes and DH groups measured (KeySizeOptions checked them).
    var rsaBits: [Int] { keySizes.rsaBits.isEmpty ? [1024, 2048] : keySizes.rsaBits }
    var groups: [Int] { keySizes.groups.isEmpty ? [2, 14] : keySizes.groups }

    /// The provider column of the unpinned framework's line.
    static let autoRow = "auto"

    /// The provider column of libsodium called directly (Speed/SodiumDirect.swift).
    static let sodiumDirectRow = "sodium-direct"

    /// Emulated devices and the provider that does the same arithmetic: ncp/N
    /// computes its jobs with GMP (NCPProvider's RSA and DH over GMPEngine), so
    /// the difference in host time per job is the device's own cost (rings,
    /// hand-off, accounting, the rule-5 check for signatures).
    static let sameArithmetic: [String: String] = ["ncp/0": "gmp"]

    private func wants(_ name: String) -> Bool { providers.isEmpty || providers.contains(name) }

    /// Host µs per job of `name` minus that of the provider doing the same arithmetic, when both were measured.
    private func overhead(
        of name: String?, _ m: SpeedRunner.Measurement, against line: [String: SpeedRunner.Measurement],
        arithmetic earlier: [String: SpeedRunner.Measurement]
    ) -> Double? {
        guard let name, let base = Self.sameArithmetic[name], let b = line[base] ?? earlier[base] else { return nil }
        // ops/s across `threads` threads: each thread's job takes threads / (ops/s).
        return Double(threads) * (m.microsecondsPerOperation - b.microsecondsPerOperation)
    }

    @Option(help: "Rounds per line; the best round is kept. Default: 3 with --vs-openssl (ours and openssl speed alternate, so both see the same machine), else 1.")
    var rounds: Int?

    func run() throws {
        let policy = framework.policy.source
        let platforms = try self.platforms
        let platform = platforms.map(\.name).joined(separator: ",")
        let reference = vsOpenSSL ? OpenSSLSpeedReference(seconds: max(1, Int(seconds.rounded())), threads: threads) : nil
        let roundCount = rounds ?? (vsOpenSSL ? 3 : 1)
        // openssl speed figures per (algorithm, round): one run gives sign and verify.
        var referenceRuns: [String: [(first: Double, second: Double?)?]] = [:]
        // sodium through the framework against sodium called directly, per line.
        var sodiumRatios: [(line: String, ratio: Double)] = []

        var rows: [SpeedRow] = []
        var dispatch: DispatchOverhead.Result? = nil
        let table = SpeedTable(json: framework.json)
        table.printHeader(platform: platform, threads: threads, seconds: seconds, rounds: roundCount)
        // A provider present on two platforms with the same description (ncp/0 on host and t2000)
        // is the same emulation: measured once. On another chip (t5220's ncp/0, sparcfp) it is not.
        var measuredProviders: Set<String> = []
        // Every line's measurements so far, for the overhead column across platforms.
        var arithmetic: [String: [String: SpeedRunner.Measurement]] = [:]
        for chosen in platforms {
            let platformName = chosen.name
            let fw = try CryptoFramework(platform: chosen, policy: policy)
            let identities = Dictionary(fw.providers.map { ($0.name, "\($0.name)|\($0.summary)") }) { a, _ in a }
            let fresh = Set(identities.filter { !measuredProviders.contains($0.value) }.keys)
            measuredProviders.formUnion(identities.values)
            let runner = SpeedRunner(framework: fw, seconds: seconds, threads: threads)
            for c in SpeedCase.defaults(rsaBits: rsaBits, dhGroups: groups, hashAndSign: hashAndSign) + (ec ? SpeedCase.ec : []) {
                // The registry's own candidate filter; `auto` (nil) first, once per platform.
                let eligible = fw.eligibleProviders(for: c.mechanism, operation: c.requiredFlag, keyBits: c.bits, curve: c.curve)
                let pinned: [String?] = eligible.filter { fresh.contains($0) && (providers.isEmpty || providers.contains($0)) }
                let lines: [String?] = (wants(Self.autoRow) && !eligible.isEmpty ? [nil] : []) + pinned
                // libsodium called directly: on the first platform only (it is the host's either way).
                let direct = chosen.name == platforms.first?.name && wants(Self.sodiumDirectRow) ? c.directSodium : nil
                var best: [String: SpeedRunner.Measurement] = [:]
                var bestReference: Double? = nil
                for round in 0..<roundCount {
                    if let reference, let algorithm = c.opensslAlgorithm {
                        var runs = referenceRuns[algorithm, default: []]
                        if runs.count <= round { runs.append(reference.figures(algorithm)) }
                        referenceRuns[algorithm] = runs
                        if let r = runs[round], let value = c.operation == .verify ? r.second : r.first {
                            bestReference = max(bestReference ?? 0, value)
                        }
                    }
                    for name in lines {
                        let m = try runner.measure(c, provider: name)
                        let key = name ?? Self.autoRow
                        if m.opsPerSecond > best[key]?.opsPerSecond ?? -1 { best[key] = m }
                    }
                    if let direct {
                        let m = try runner.measureSodiumDirect(direct, message: c.message)
                        if m.opsPerSecond > best[Self.sodiumDirectRow]?.opsPerSecond ?? -1 { best[Self.sodiumDirectRow] = m }
                    }
                }
                for name in lines + (direct != nil ? [Self.sodiumDirectRow as String?] : []) {
                    let key = name ?? Self.autoRow
                    guard let m = best[key] else { continue }
                    let modeledThroughput = name.flatMap {
                        fw.provider(named: $0)?.modeledThroughput(mechanism: c.mechanism, operation: c.operation.rawValue, keyBits: c.bits)
                    }
                    let row = SpeedRow(
                        platform: platformName, provider: key, servedBy: name == nil ? m.servedBy.joined(separator: ",") : nil,
                        mechanism: c.mechanism.name, curve: c.curve?.description, operation: c.operation.rawValue, bits: c.bits,
                        opsPerSecond: m.opsPerSecond, modeledLatencySeconds: m.modeledLatencySeconds,
                        modeledOpsPerSecond: modeledThroughput,
                        overheadMicroseconds: overhead(of: name, m, against: best, arithmetic: arithmetic[c.lineKey] ?? [:]),
                        referenceOpsPerSecond: bestReference,
                        ratio: bestReference.map { m.opsPerSecond / $0 })
                    table.printRow(row)
                    rows.append(row)
                }
                for (name, m) in best { arithmetic[c.lineKey, default: [:]][name] = m }
                if let framed = best["sodium"], let direct = best[Self.sodiumDirectRow] {
                    sodiumRatios.append((c.lineKey, framed.opsPerSecond / direct.opsPerSecond))
                }
            }
            if dispatch == nil { dispatch = try DispatchOverhead(framework: fw).measure() }
        }
        try chart.write {
            SpeedChart.svg(rows, platform: platform, threads: threads, seconds: seconds, rounds: roundCount,
                           command: ChartOutputOptions.commandLine)
        }
        try table.printFooter(rows: rows, platform: platform, dispatch: dispatch, sodiumRatios: sodiumRatios)
    }
}
