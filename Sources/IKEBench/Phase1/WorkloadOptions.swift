import ArgumentParser
import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import Providers

/// Defaults that match the 2007 experiment (docs/retelling-2007.md): Solaris 10's
/// in.iked Phase I defaults — 3DES, SHA-1, Oakley group 2 — and the 1024-bit
/// RSA keys `ikecert certlocal` made by default.
enum Defaults2007 {
    static let rsaBits = 1024
    static let group = 2
    static let prf = "sha1"
    static let cipher = "3des"
    static let rttSeconds = 0.0
}

/// What one negotiation negotiates: the options `run`, `compare` and `calibrate` share.
/// RSA size, group and DH private length are optional so each command can
/// say what it defaults to (`run`: Solaris 10's defaults; `compare`: the
/// configuration judged most plausible for 2007; `calibrate`: every one).
struct NegotiatedSuiteOptions: ParsableArguments {
    @Option(name: .customLong("rsa-bits"), help: "RSA modulus of both sides' signature keys.")
    var rsaBits: Int?

    @Option(help: "Oakley/MODP group of the DH exchange: 1, 2, 5, 14, 15 or 16.")
    var group: Int?

    @Option(name: .customLong("dh-private"),
            help: "The responder's DH private value: full (as long as the prime, Solaris softtoken without CKA_VALUE_BITS) or short (twice the group's strength, RFC 3526).")
    var dhPrivate: String?

    @Option(help: "The negotiated hash, whose HMAC is the PRF: sha1 or sha256.")
    var prf: String = Defaults2007.prf

    @Option(help: "The Phase I cipher: aes128, aes256 or 3des.")
    var cipher: String = Defaults2007.cipher

    func validate() throws {
        if let group, ![1, 2, 5, 14, 15, 16].contains(group) {
            throw ValidationError("--group \(group): use 1, 2, 5, 14, 15 or 16")
        }
        if let dhPrivate, DHPrivateValueLength(rawValue: dhPrivate) == nil {
            throw ValidationError("--dh-private \(dhPrivate): use full or short")
        }
        guard IKESuite.PRF(rawValue: prf) != nil else { throw ValidationError("--prf \(prf): use sha1 or sha256") }
        guard IKESuite.Cipher(rawValue: cipher) != nil else { throw ValidationError("--cipher \(cipher): use aes128, aes256 or 3des") }
        if let rsaBits, !(512...4096).contains(rsaBits) { throw ValidationError("--rsa-bits \(rsaBits) is outside 512...4096") }
    }

    var dhPrivateLength: DHPrivateValueLength? { dhPrivate.flatMap(DHPrivateValueLength.init(rawValue:)) }

    /// The configuration these options pick, each unset part from `fallback`.
    func configuration(default fallback: Configuration2007) -> Configuration2007 {
        Configuration2007(rsaBits: rsaBits ?? fallback.rsaBits, group: group ?? fallback.group,
                          dhPrivate: dhPrivateLength ?? fallback.dhPrivate)
    }

    /// Whether `c` matches every option given (for filtering the table).
    func matches(_ c: Configuration2007) -> Bool {
        (rsaBits ?? c.rsaBits) == c.rsaBits && (group ?? c.group) == c.group && (dhPrivateLength ?? c.dhPrivate) == c.dhPrivate
    }

    var prfValue: IKESuite.PRF { IKESuite.PRF(rawValue: prf)! }
    var cipherValue: IKESuite.Cipher { IKESuite.Cipher(rawValue: cipher)! }

    /// The suite with the group given (else Solaris 10's group 2) and the DH
    /// private length given (else none: the provider's default).
    var suite: IKESuite {
        let g = DHGroup.ike(group ?? Defaults2007.group)!
        return IKESuite(group: g, prf: prfValue, cipher: cipherValue, dhPrivateBits: dhPrivateLength?.bits(for: g))
    }
}

/// The options `run` and `compare` share: what one negotiation is and how a run is made.
struct WorkloadOptions: ParsableArguments {
    @Option(help: "The platform whose providers serve the responder: host or t2000.")
    var platform: String?

    @OptionGroup var negotiated: NegotiatedSuiteOptions

    @Option(help: "Number of negotiations to run.")
    var negotiations: Int?

    @Option(help: "Run for this many seconds instead of a fixed number of negotiations.")
    var duration: Double?

    @Option(help: "Negotiations in flight at once (tasks). `run` also takes a list (`1,2,4`): one run per level, then a scaling table.")
    var concurrency: ConcurrencyLevels = ConcurrencyLevels(levels: [1])

    @Option(help: "Modeled network round trip in seconds, added twice to modeled Phase I.")
    var rtt: Double = Defaults2007.rttSeconds

    @Option(help: "Modeled Phase I time outside the cryptography (in.iked, kernel) in seconds, added once to modeled Phase I. Default: 0 for run; for compare, what the 2007 with-ncp figure implies (165 ms minus the modeled cryptography with ncp).")
    var overhead: Double?

    @Option(name: .customLong("fp-trap-penalty"), help: "What-if: cycles added to every sparcfp FP instruction on t2000, as if the FPU were emulated in a trap handler (the 2007 guess, which the T1 documentation contradicts). Default: 0, the published latencies.")
    var fpTrapPenalty: Double = 0

    @Option(help: "Policy file (kcf.conf). Default: $CRYPTOFRAMEWORK_CONF, else ~/.config/cryptoframework/kcf.conf.")
    var config: String?

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    @Flag(help: "Print DTrace-style lines for every negotiation, as the 2007 script did.")
    var trace = false

    func validate() throws {
        if let platform, Platform.named(platform) == nil {
            throw ValidationError("unknown platform '\(platform)'; known: \(Platform.all.map(\.name).joined(separator: ", "))")
        }
        if let negotiations, negotiations < 1 { throw ValidationError("--negotiations must be at least 1") }
        if let duration, !(duration > 0 && duration <= 86_400) { throw ValidationError("--duration must be in (0, 86400] seconds") }
        guard concurrency.levels.allSatisfy({ (1...1024).contains($0) }) else {
            throw ValidationError("--concurrency must be 1...1024 (or a comma-separated list of such)")
        }
        guard rtt >= 0, rtt < 60 else { throw ValidationError("--rtt must be in [0, 60) seconds") }
        if let overhead, !(overhead >= 0 && overhead < 3600) { throw ValidationError("--overhead must be in [0, 3600) seconds") }
        guard fpTrapPenalty >= 0, fpTrapPenalty < 1_000_000 else {
            throw ValidationError("--fp-trap-penalty must be in [0, 1000000) cycles")
        }
    }

    var prf: String { negotiated.prf }
    var cipher: String { negotiated.cipher }

    /// File-backed by default so a `cryptoadm` change made during the run applies to it.
    var policySource: PolicySource {
        config.map { .file(URL(fileURLWithPath: $0)) } ?? .default
    }

    /// The workload, at `level` or else the first (or only) --concurrency level.
    func workload(
        suite: IKESuite, rsaBits: Int, overhead: Double, defaultNegotiations: Int, concurrency level: Int? = nil
    ) -> PhaseOneWorkload {
        PhaseOneWorkload(
            suite: suite, rsaBits: rsaBits,
            negotiations: negotiations ?? (duration == nil ? defaultNegotiations : nil),
            durationSeconds: duration, concurrency: level ?? concurrency.levels[0], rttSeconds: rtt, overheadSeconds: overhead,
            trace: trace)
    }

    /// The chip of the t2000 platform with --fp-trap-penalty (0: the published latencies).
    var chip: ChipModel { ChipModel.ultraSPARCT1.withFPTrapPenalty(fpTrapPenalty) }

    /// The platform named by --platform (else `defaultName`); on t2000 the chip
    /// carries --fp-trap-penalty to every provider.
    func platform(default defaultName: String) -> Platform {
        let name = platform ?? defaultName
        if name == Platform.t2000.name && fpTrapPenalty > 0 {
            return .t2000(chip: chip)
        }
        return Platform.named(name)!  // validate() checked the name
    }

    var traceWriter: @Sendable (String) -> Void {
        let handle: FileHandle = json ? .standardError : .standardOutput
        return { line in handle.write(Data((line + "\n").utf8)) }
    }
}

/// `--concurrency 2` or `--concurrency 1,2,4`.
struct ConcurrencyLevels: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let levels: [Int]

    init(levels: [Int]) { self.levels = levels }

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.count == parts.count else { return nil }
        levels = values
    }

    var description: String { levels.map(String.init).joined(separator: ",") }
    var defaultValueDescription: String { description }
}

enum JSONOutput {
    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
