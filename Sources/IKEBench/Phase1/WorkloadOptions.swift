import ArgumentParser
import CryptoFramework
import Foundation
import IKECore
import Providers

/// Defaults that match the 2007 experiment (README "ikebench"): Solaris 10's
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
struct NegotiatedSuiteOptions: ParsableArguments {
    @Option(name: .customLong("rsa-bits"), help: "RSA modulus of both sides' signature keys.")
    var rsaBits: Int = Defaults2007.rsaBits

    @Option(help: "Oakley/MODP group of the DH exchange: 1, 2, 5, 14, 15 or 16.")
    var group: Int = Defaults2007.group

    @Option(help: "The negotiated hash, whose HMAC is the PRF: sha1 or sha256.")
    var prf: String = Defaults2007.prf

    @Option(help: "The Phase I cipher: aes128 or 3des.")
    var cipher: String = Defaults2007.cipher

    func validate() throws {
        guard [1, 2, 5, 14, 15, 16].contains(group) else {
            throw ValidationError("--group \(group): use 1, 2, 5, 14, 15 or 16")
        }
        guard IKESuite.PRF(rawValue: prf) != nil else { throw ValidationError("--prf \(prf): use sha1 or sha256") }
        guard IKESuite.Cipher(rawValue: cipher) != nil else { throw ValidationError("--cipher \(cipher): use aes128 or 3des") }
        guard (512...4096).contains(rsaBits) else { throw ValidationError("--rsa-bits \(rsaBits) is outside 512...4096") }
    }

    var suite: IKESuite {
        IKESuite(group: DHGroup.ike(group)!, prf: IKESuite.PRF(rawValue: prf)!, cipher: IKESuite.Cipher(rawValue: cipher)!)
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

    @Option(help: "Modeled Phase I time outside the cryptography (in.iked, kernel) in seconds, added once to modeled Phase I (`ikebench calibrate` derives it from the 2007 with-ncp figure).")
    var overhead: Double = 0

    @Option(name: .customLong("fp-trap-penalty"), help: "Cycles added to every sparcfp FP instruction on t2000 (a trap-emulated FPU; `ikebench calibrate` solves for it). Default: 0, the published latencies.")
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
        guard overhead >= 0, overhead < 3600 else { throw ValidationError("--overhead must be in [0, 3600) seconds") }
        guard fpTrapPenalty >= 0, fpTrapPenalty < 1_000_000 else {
            throw ValidationError("--fp-trap-penalty must be in [0, 1000000) cycles")
        }
    }

    var suite: IKESuite { negotiated.suite }
    var rsaBits: Int { negotiated.rsaBits }
    var group: Int { negotiated.group }
    var prf: String { negotiated.prf }
    var cipher: String { negotiated.cipher }

    /// File-backed by default so a `cryptoadm` change made during the run applies to it.
    var policySource: PolicySource {
        config.map { .file(URL(fileURLWithPath: $0)) } ?? .default
    }

    /// The workload at the first (or only) concurrency level.
    func workload(defaultNegotiations: Int, concurrency level: Int? = nil) -> PhaseOneWorkload {
        PhaseOneWorkload(
            suite: suite, rsaBits: rsaBits,
            negotiations: negotiations ?? (duration == nil ? defaultNegotiations : nil),
            durationSeconds: duration, concurrency: level ?? concurrency.levels[0], rttSeconds: rtt, overheadSeconds: overhead,
            trace: trace)
    }

    /// The platform named by --platform (else `defaultName`), with sparcfp's
    /// cost model carrying --fp-trap-penalty on t2000.
    func platform(default defaultName: String) -> Platform {
        let name = platform ?? defaultName
        if name == Platform.t2000.name && fpTrapPenalty > 0 {
            return .t2000(costModel: T1CostModel.t2000.withTrapPenalty(fpTrapPenalty))
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
