import CryptoFramework
import IKEProtocol
import Providers

/// One row of `ikebench capacity`: a platform, ncp/0 enabled or disabled, a
/// number of concurrent initiators, and what the responder sustains. The
/// JSON keys are read by outside tools (docs/capacity.md): keep them.
public struct CapacityRow: Sendable, Hashable, Encodable {
    public let platform: String
    public let ncp: Bool
    public let clients: Int
    public let saPerSecond: Double
    public let p50Seconds: Double
    public let p99Seconds: Double
    /// "virtual" (the discrete-event simulation) or "timed" (real negotiations, modeled time held).
    public let time: String

    public init(platform: String, ncp: Bool, clients: Int, measurement m: CapacityMeasurement, time: CapacityTime) {
        self.platform = platform
        self.ncp = ncp
        self.clients = clients
        saPerSecond = m.saPerSecond
        p50Seconds = m.p50Seconds
        p99Seconds = m.p99Seconds
        self.time = time.rawValue
    }
}

public enum CapacityTime: String, Sendable, Codable {
    case virtual
    case timed
}

/// Where a curve bends (docs/capacity.md "The knee"): the fewest clients at
/// which throughput reaches 90 % of the curve's plateau (its highest rate),
/// and the fewest at which p99 setup time has doubled from the smallest load.
public struct CapacityKnee: Sendable, Hashable, Encodable {
    public let platform: String
    public let ncp: Bool
    public let time: String
    /// The highest SA rate on the curve.
    public let plateauSAPerSecond: Double
    /// Fewest clients reaching ≥ 90 % of the plateau.
    public let throughputKneeClients: Int
    /// Fewest clients whose p99 is ≥ 2 × the p99 at the smallest load; nil if it never doubles.
    public let p99DoublesAtClients: Int?

    /// Fraction of the plateau that defines the throughput knee.
    public static let plateauFraction = 0.9

    /// The knee of one curve (its rows in increasing client counts); nil for no rows.
    public init?(_ rows: [CapacityRow]) {
        let rows = rows.sorted { $0.clients < $1.clients }
        guard let first = rows.first, let plateau = rows.map(\.saPerSecond).max() else { return nil }
        platform = first.platform
        ncp = first.ncp
        time = first.time
        plateauSAPerSecond = plateau
        throughputKneeClients = rows.first { $0.saPerSecond >= Self.plateauFraction * plateau }!.clients
        p99DoublesAtClients = rows.first { $0.p99Seconds >= 2 * first.p99Seconds }?.clients
    }
}

/// Everything `ikebench capacity` prints (`--json`: this object).
public struct CapacityReport: Sendable, Encodable {
    /// One per platform, ncp setting and client count.
    public let rows: [CapacityRow]
    public let knees: [CapacityKnee]
    /// The negotiation: "RSA-2048, group 14, 2048-bit DH private values (full length), 3des/sha1".
    public let configuration: String
    /// Per platform: its shared resources, one line each.
    public let resources: [String: String]
    /// Per platform and ncp setting ("t2000 ncp"): the profiled negotiation's
    /// time on an idle machine and its parts, mean over the profiled negotiations.
    public let profiles: [String: CapacityProfileSummary]
    public let seed: UInt64
    public let quantumSeconds: Double
    /// Responder work outside the cryptography added to each negotiation, on a strand.
    public let overheadSeconds: Double

    public init(rows: [CapacityRow], configuration: String, resources: [String: String],
                profiles: [String: CapacityProfileSummary], seed: UInt64, quantumSeconds: Double, overheadSeconds: Double) {
        self.rows = rows
        self.configuration = configuration
        self.resources = resources
        self.profiles = profiles
        self.seed = seed
        self.quantumSeconds = quantumSeconds
        self.overheadSeconds = overheadSeconds
        var curves: [String: [CapacityRow]] = [:]
        var order: [String] = []
        for r in rows {
            let key = "\(r.platform) \(r.ncp) \(r.time)"
            if curves[key] == nil { order.append(key) }
            curves[key, default: []].append(r)
        }
        knees = order.compactMap { CapacityKnee(curves[$0]!) }
    }

    /// The knee of a curve.
    public func knee(platform: String, ncp: Bool, time: CapacityTime = .virtual) -> CapacityKnee? {
        knees.first { $0.platform == platform && $0.ncp == ncp && $0.time == time.rawValue }
    }
}

/// A profiled negotiation's parts, in seconds on an idle machine.
public struct CapacityProfileSummary: Sendable, Hashable, Encodable {
    public let negotiations: Int
    public let totalSeconds: Double
    public let strandSeconds: Double
    public let floatingPointSeconds: Double
    public let cryptoUnitSeconds: Double
    public let streamUnitSeconds: Double

    public init(_ programs: [NegotiationProgram]) {
        let n = Double(max(programs.count, 1))
        negotiations = programs.count
        totalSeconds = programs.reduce(0) { $0 + $1.seconds } / n
        strandSeconds = programs.reduce(0) { $0 + $1.strandSeconds } / n
        floatingPointSeconds = programs.reduce(0) { $0 + $1.floatingPointSeconds } / n
        cryptoUnitSeconds = programs.reduce(0) { $0 + $1.unitSeconds(.cryptoUnit) } / n
        streamUnitSeconds = programs.reduce(0) { $0 + $1.unitSeconds(.streamUnit) } / n
    }
}

/// `ikebench capacity`: profile real negotiations on a platform, then load it.
public enum CapacityRun {
    /// 1, 2, 4, … 256.
    public static let defaultClients = (0...8).map { 1 << $0 }

    /// `samples` real negotiations of `suite` on `platform` (built with fast
    /// timing, so nothing is held), ncp/0 as the policy has it or disabled,
    /// as programs. On a platform without a model, and for IKEv2, the first
    /// negotiation is run once more and dropped (its host time includes lazy
    /// set-up; an EC key's pairwise check is made once), and on a platform
    /// without a model only the faster half of the samples is kept.
    /// `ikev2`: profile IKEv2 negotiations (IKE_SA_INIT and IKE_AUTH, one
    /// round trip between the responder's turns) instead of Main Mode.
    public static func profile(
        platform: Platform, ncp: Bool, suite: IKESuite, identities: IKEIdentities, samples: Int,
        overheadSeconds: Double = 0, rttSeconds: Double = 0, ikev2: (suite: IKEv2Suite, keys: IKEv2SignatureKeys)? = nil
    ) async throws -> [NegotiationProgram] {
        guard let resources = platform.sharedResources else {
            throw CryptoError(.argumentsBad, "platform \(platform.name) does not describe its shared resources; capacity cannot queue on it")
        }
        let base = try CryptoFramework(platform: platform, policy: .inMemory(Policy()))
        let framework = ncp ? base : try NCPDisabled.framework(like: base)
        let negotiation: any TimedNegotiation = if let ikev2 {
            IKEv2Negotiation(suite: ikev2.suite, responderFramework: framework,
                             initiatorFramework: try MainModeNegotiation.initiatorFramework(), identities: identities, keys: ikev2.keys)
        } else {
            MainModeNegotiation(
                suite: suite, responderFramework: framework, initiatorFramework: try MainModeNegotiation.initiatorFramework(),
                identities: identities)
        }
        let modeled = platform.clockHz != nil
        // Dropped first: on the host, lazy set-up; with IKEv2's keys, the provider's
        // one-time check of an EC private key against its public key (cached in the key).
        if !modeled || ikev2 != nil { _ = try await negotiation.run(trace: nil, observe: nil) }
        var programs: [NegotiationProgram] = []
        for _ in 0..<max(1, samples) {
            let outcome = try await negotiation.run(trace: nil, observe: nil)
            programs.append(NegotiationProgram(outcome: outcome, platform: platform, resources: resources,
                                               overheadSeconds: overheadSeconds, rttSeconds: rttSeconds,
                                               roundTrips: ikev2 == nil ? 2 : 1))
        }
        // Host time on a shared machine includes time the process was not
        // running (other processes, other engineers' builds): the faster half
        // of the samples is kept as this machine's own cost of a negotiation.
        return modeled ? programs : Array(programs.sorted { $0.seconds < $1.seconds }.prefix(max(1, programs.count / 2)))
    }

    /// The virtual-time row for `clients` on those programs.
    public static func simulate(
        platform: Platform, ncp: Bool, programs: [NegotiationProgram], clients: Int, seed: UInt64,
        quantumSeconds: Double = CapacitySimulation.defaultQuantumSeconds, measuredNegotiations: Int? = nil
    ) throws -> CapacityRow {
        guard let resources = platform.sharedResources else {
            throw CryptoError(.argumentsBad, "platform \(platform.name) does not describe its shared resources")
        }
        let m = CapacitySimulation(resources: resources, programs: programs, clients: clients, seed: seed,
                                   quantumSeconds: quantumSeconds, measuredNegotiations: measuredNegotiations).run()
        return CapacityRow(platform: platform.name, ncp: ncp, clients: clients, measurement: m, time: .virtual)
    }

    /// The timed row for `clients`: real negotiations run concurrently on
    /// `timedPlatform` (a platform whose emulated providers hold each result
    /// for its modeled time × `scale`), `negotiationsPerClient` each after
    /// a warm-up negotiation per client; setup times are the responder's
    /// wall-clock Phase I ÷ `scale` (modeled time), and the rate is clients ÷
    /// their mean, as in virtual time (Little's law): the initiators' own work
    /// runs on this host between turns, outside the modeled responder, and
    /// is left out of both.
    public static func timed(
        timedPlatform: Platform, ncp: Bool, suite: IKESuite, rsaBits: Int, identities: IKEIdentities,
        clients: Int, negotiationsPerClient: Int, scale: Double, ikev2: (suite: IKEv2Suite, keys: IKEv2SignatureKeys)? = nil
    ) async throws -> CapacityRow {
        guard scale > 0 else { throw CryptoError(.argumentsBad, "a timed capacity run needs a timing scale > 0") }
        let base = try CryptoFramework(platform: timedPlatform, policy: .inMemory(Policy()))
        let framework = ncp ? base : try NCPDisabled.framework(like: base)
        // A warm-up round first, one negotiation per client, not counted (lazy set-up, the MAUs' worker threads).
        var warmUp = PhaseOneWorkload(suite: suite, rsaBits: rsaBits, negotiations: clients, concurrency: clients)
        warmUp.ikev2Suite = ikev2?.suite
        warmUp.ikev2Keys = ikev2?.keys
        _ = try await PhaseOneRun.run(warmUp, framework: framework, identities: identities)
        var workload = PhaseOneWorkload(suite: suite, rsaBits: rsaBits, negotiations: clients * max(1, negotiationsPerClient),
                                        concurrency: clients)
        workload.ikev2Suite = ikev2?.suite
        workload.ikev2Keys = ikev2?.keys
        let report = try await PhaseOneRun.run(workload, framework: framework, identities: identities)
        let m = CapacityMeasurement(
            saPerSecond: report.hostPhase1.mean > 0 ? Double(clients) * scale / report.hostPhase1.mean : 0, p50Seconds: report.hostPhase1.p50 / scale,
            p99Seconds: report.hostPhase1.p99 / scale, negotiations: report.negotiations)
        return CapacityRow(platform: timedPlatform.name, ncp: ncp, clients: clients, measurement: m, time: .timed)
    }
}
