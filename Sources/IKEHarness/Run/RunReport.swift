import CryptoFramework
import IKEProtocol

/// Phase I latency percentiles, in seconds.
public struct LatencySummary: Sendable, Encodable {
    public let p50: Double
    public let p90: Double
    public let p99: Double
    public let mean: Double
}

/// One operation of the responder, as one provider served it.
public struct OperationSummary: Sendable, Encodable {
    public let name: String
    public let mechanism: String
    public let provider: String
    public let count: Int
    public let hostSecondsMean: Double
    public let modeledSecondsMean: Double?

    enum CodingKeys: String, CodingKey { case name, mechanism, provider, count, hostSecondsMean, modeledSecondsMean }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(mechanism, forKey: .mechanism)
        try c.encode(provider, forKey: .provider)
        try c.encode(count, forKey: .count)
        try c.encode(hostSecondsMean, forKey: .hostSecondsMean)
        try c.encode(modeledSecondsMean, forKey: .modeledSecondsMean)  // null on a platform without a model
    }
}

/// Everything `ikebench run` reports; its JSON keys are read by outside scripts
/// (docs/ike.md, JSON output): keep them.
public struct RunReport: Sendable, Encodable {
    public let platform: String
    public private(set) var rsaBits: Int
    public private(set) var group: Int
    public private(set) var prf: String
    public private(set) var cipher: String
    public let negotiations: Int
    public let concurrency: Int
    public let rttSeconds: Double
    /// Modeled Phase I time outside the cryptography that was added (`--overhead`).
    public let overheadSeconds: Double
    public let elapsedSeconds: Double
    public let hostPhase1: LatencySummary
    public let modeledPhase1: LatencySummary?
    public let throughputPerSecond: Double
    public let operations: [OperationSummary]
    public let kstats: [String: [Kstat]]
    /// Phase I at percentiles along HdrHistogram's percentile axis (charts).
    public var distribution: LatencyDistribution? = nil
    /// Per second of the run (a long run shows a policy change here).
    public var timeline: [TimelineSecond] = []
    /// Policies the framework applied during the run.
    public var policyChanges: [PolicyChangeMark] = []
    /// 1: IKEv1 Main Mode; 2: IKEv2 IKE_SA_INIT and IKE_AUTH (``describeIKEv2(suite:keys:)``).
    public var ike = 1
    /// The IKEv2 proposal, strongSwan style (nil for IKEv1).
    public var proposal: String? = nil
    /// How the peers authenticate: "RSA-2048", "ECDSA P-256".
    public var authentication = ""
    /// A report of IKEv2 whose responder (`serve`) also negotiated IKEv1 Main
    /// Mode: how many of each (nil: one version only).
    public var alsoIKEv1: IKEv1Share? = nil

    /// This report as one of IKEv2 negotiations with `suite` and `keys`: the
    /// group, PRF and cipher become the IKEv2 suite's, `rsaBits` 0 unless RSA signs.
    public mutating func describeIKEv2(suite: IKEv2Suite, keys: IKEv2SignatureKeys) {
        describeIKEv2(suite: suite, signer: keys.responder)
    }

    /// The same for the negotiations of a responder or initiator on the wire
    /// (`serve`, `run --peer`): `suite` the last negotiated, `proposals` every
    /// one negotiated ("a, b" when peers chose several), `signer` our key
    /// (nil: the authentication is left unnamed).
    public mutating func describeIKEv2(suite: IKEv2Suite, signer: IKEv2PrivateKey?, proposals: [String]? = nil) {
        ike = 2
        proposal = (proposals ?? [suite.proposalName]).joined(separator: ", ")
        authentication = signer.map(IKEv2SignatureKeys.label) ?? ""
        group = Int(suite.group.number)
        prf = suite.prf.hash.rawValue
        cipher = suite.encryption.name
        if case .rsa(let k)? = signer { rsaBits = k.publicKey.bits } else { rsaBits = 0 }
    }

    /// This report as one of IKEv1 negotiations authenticated by `signer`
    /// (ours): named by it, `rsaBits` 0 unless RSA signs.
    public mutating func describeIKEv1(signer: IKESigningKey) {
        authentication = signer.label
        if case .ec = signer { rsaBits = 0 }
    }

    /// What the report times: "Phase I" (Main Mode) or "IKE SA" (IKEv2).
    public var setupLabel: String { ike == 2 ? "IKE SA" : "Phase I" }

    /// The exchange and its parameters, as headers name them.
    public var exchangeDescription: String {
        if ike == 2 {
            let v2 = "IKEv2 (IKE_SA_INIT + IKE_AUTH\(authentication.isEmpty ? "" : ", \(authentication)")), proposal \(proposal ?? "?")"
            guard let v1 = alsoIKEv1 else { return v2 }
            return "\(v2) in \(v1.ikev2Negotiations) negotiations; and \(v1.negotiations) IKEv1 Main Mode, \(v1.proposal)"
        }
        let signatures = rsaBits == 0 && authentication.hasPrefix("ECDSA") ? "ECDSA" : "RSA"
        let key = authentication.isEmpty ? "RSA-\(rsaBits)" : authentication
        return "IKE Phase I (Main Mode, \(signatures) signatures), \(key), group \(group), \(cipher)/\(prf)"
    }

    /// Every provider's kstats at the end of a run.
    static func kstats(of framework: CryptoFramework) -> [String: [Kstat]] {
        var kstats: [String: [Kstat]] = [:]
        for d in framework.providers {
            kstats[d.name] = framework.provider(named: d.name)?.kstats ?? []
        }
        return kstats
    }

    enum CodingKeys: String, CodingKey {
        case platform, rsaBits, group, prf, cipher, negotiations, concurrency, rttSeconds, overheadSeconds, elapsedSeconds
        case phase1, throughputPerSecond, operations, kstats, distribution, timeline, policyChanges
        case ike, proposal, authentication, alsoIKEv1
    }
    enum Phase1Keys: String, CodingKey { case host, modeled }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(platform, forKey: .platform)
        try c.encode(rsaBits, forKey: .rsaBits)
        try c.encode(group, forKey: .group)
        try c.encode(prf, forKey: .prf)
        try c.encode(cipher, forKey: .cipher)
        try c.encode(negotiations, forKey: .negotiations)
        try c.encode(concurrency, forKey: .concurrency)
        try c.encode(rttSeconds, forKey: .rttSeconds)
        try c.encode(overheadSeconds, forKey: .overheadSeconds)
        try c.encode(elapsedSeconds, forKey: .elapsedSeconds)
        var p = c.nestedContainer(keyedBy: Phase1Keys.self, forKey: .phase1)
        try p.encode(hostPhase1, forKey: .host)
        try p.encode(modeledPhase1, forKey: .modeled)
        try c.encode(throughputPerSecond, forKey: .throughputPerSecond)
        try c.encode(operations, forKey: .operations)
        try c.encode(kstats, forKey: .kstats)
        try c.encode(distribution, forKey: .distribution)
        try c.encode(timeline, forKey: .timeline)
        try c.encode(policyChanges, forKey: .policyChanges)
        try c.encode(ike, forKey: .ike)
        try c.encode(proposal, forKey: .proposal)  // null for IKEv1
        try c.encode(authentication, forKey: .authentication)
        try c.encodeIfPresent(alsoIKEv1, forKey: .alsoIKEv1)  // only when serve negotiated both versions
    }
}

/// The IKEv1 share of a serve that negotiated both versions (``RunReport/alsoIKEv1``).
public struct IKEv1Share: Sendable, Encodable, Equatable {
    /// IKEv1 Main Modes established.
    public let negotiations: Int
    /// IKEv2 IKE SAs established (the report's other negotiations).
    public let ikev2Negotiations: Int
    /// The last IKEv1 suite, strongSwan style.
    public let proposal: String

    public init(negotiations: Int, ikev2Negotiations: Int, proposal: String) {
        self.negotiations = negotiations
        self.ikev2Negotiations = ikev2Negotiations
        self.proposal = proposal
    }
}

/// `ikebench compare`: the same workload with the policy as it is and with ncp/0 disabled.
public struct CompareReport: Sendable, Encodable {
    public let baseline: RunReport
    public let withoutNCP: RunReport
    /// withoutNCP ÷ baseline of the Phase I medians.
    public let hostRatio: Double
    public let modeledRatio: Double?

    public init(baseline: RunReport, withoutNCP: RunReport) {
        self.baseline = baseline
        self.withoutNCP = withoutNCP
        hostRatio = withoutNCP.hostPhase1.p50 / max(baseline.hostPhase1.p50, 1e-12)
        if let a = baseline.modeledPhase1?.p50, let b = withoutNCP.modeledPhase1?.p50 {
            modeledRatio = b / max(a, 1e-12)
        } else {
            modeledRatio = nil
        }
    }

    enum CodingKeys: String, CodingKey { case baseline, withoutNCP, ratio }
    enum RatioKeys: String, CodingKey { case host, modeled }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(baseline, forKey: .baseline)
        try c.encode(withoutNCP, forKey: .withoutNCP)
        var r = c.nestedContainer(keyedBy: RatioKeys.self, forKey: .ratio)
        try r.encode(hostRatio, forKey: .host)
        try r.encode(modeledRatio, forKey: .modeled)
    }
}

/// The 2007 T2000 measurement the benchmark reproduces (docs/DESIGN.md).
public enum Published2007 {
    /// A pair of Phase I times, with ncp and without.
    public struct Figures: Sendable {
        public var withNCPSeconds: Double
        public var withoutNCPSeconds: Double
        public init(withNCPSeconds: Double, withoutNCPSeconds: Double) {
            self.withNCPSeconds = withNCPSeconds
            self.withoutNCPSeconds = withoutNCPSeconds
        }
    }
    public static let withNCPSeconds = 0.165
    public static let withoutNCPSeconds = 7.73
    public static let figures = Figures(withNCPSeconds: withNCPSeconds, withoutNCPSeconds: withoutNCPSeconds)
    public static let line = "published 2007 (Sun Fire T2000, Solaris 10, in.iked Phase I responder): 165 ms with ncp, 7.73 s after `cryptoadm disable provider=ncp/0 all` (ratio 46.8)"
}
