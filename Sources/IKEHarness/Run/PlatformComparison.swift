import CryptoFramework
import Foundation
import IKEProtocol
import Providers
import TextFormat

/// One row of the table `ikebench compare --platform t5220` prints beside the
/// T1's: a modeled platform's cryptography for one IKEv1 Phase I responder
/// with every provider, without ncp/0, without n2cp/0 and without both.
public struct PlatformComparisonRow: Sendable, Encodable {
    public let platform: String
    public let chip: String
    public let rsaBits: Int
    public let group: Int
    public let dhPrivateBits: Int
    /// Every provider enabled.
    public let withNCPSeconds: Double
    /// `cryptoadm disable provider=ncp/0 all`.
    public let withoutNCPSeconds: Double
    /// `cryptoadm disable provider=n2cp/0 all` (nil: the platform has no n2cp).
    public let withoutN2CPSeconds: Double?
    /// Both disabled (nil: no n2cp).
    public let withoutBothSeconds: Double?
    /// The non-cryptographic Phase I time: 165 ms minus the T2000's modeled
    /// cryptography with ncp, the same on every row (see ``PlatformComparison``).
    public let nonCryptoSeconds: Double
}

/// The T1 and the T2 side by side for one 2007 configuration, each figure
/// from one real IKEv1 negotiation on the emulated platform (the providers
/// compute; the time is modeled per chip).
///
/// The non-cryptographic time (in.iked, the kernel, the network) is known only
/// from the T2000's 165 ms; it is added unchanged to the T5220's rows (a faster
/// T2 strand would shrink it; not modeled).
///
/// IKEv2 with ECDSA P-256 and ECP-256 (the issue's second configuration) is
/// ``ikev2Rows(suite:keys:identities:nonCryptoSeconds:)``, printed after these.
public enum PlatformComparison {

    /// Rows for t2000 and t5220 (default chips, no trap penalty) for `configuration`.
    public static func rows(
        _ configuration: Configuration2007, identities: IKEIdentities,
        prf: IKESuite.PRF = .sha1, cipher: IKESuite.Cipher = .des3
    ) async throws -> [PlatformComparisonRow] {
        guard let suite = configuration.suite(prf: prf, cipher: cipher) else {
            throw CryptoError(.argumentsBad, "no Oakley group \(configuration.group)")
        }
        let overhead = try await PhaseOneExplanation.impliedOverhead(suite: suite, identities: identities, chip: .ultraSPARCT1)
        var rows: [PlatformComparisonRow] = []
        for platform in [Platform.t2000(chip: .ultraSPARCT1, timing: .fast), .t5220(chip: .ultraSPARCT2, timing: .fast)] {
            let framework = try CryptoFramework(platform: platform, policy: .inMemory(Policy()))
            let hasN2CP = framework.provider(named: "n2cp/0") != nil
            func seconds(_ disabled: [String]) async throws -> Double {
                let responder = try CryptoFramework(
                    platform: platform, policy: .inMemory(ProviderDisabled.policy(of: framework, providers: disabled)))
                let outcome = try await MainModeNegotiation(
                    suite: suite, responderFramework: responder,
                    initiatorFramework: try MainModeNegotiation.initiatorFramework(), identities: identities).run()
                return PhaseOneExplanation.cryptographySeconds(outcome)
            }
            rows.append(PlatformComparisonRow(
                platform: platform.name, chip: platform.chip?.name ?? platform.name,
                rsaBits: configuration.rsaBits, group: configuration.group, dhPrivateBits: configuration.dhPrivateBits,
                withNCPSeconds: try await seconds([]), withoutNCPSeconds: try await seconds(["ncp/0"]),
                withoutN2CPSeconds: hasN2CP ? try await seconds(["n2cp/0"]) : nil,
                withoutBothSeconds: hasN2CP ? try await seconds(["ncp/0", "n2cp/0"]) : nil,
                nonCryptoSeconds: overhead))
        }
        return rows
    }

    /// The rows in the explanation table's format (`ikebench calibrate`).
    public static func text(_ rows: [PlatformComparisonRow]) -> String {
        let table = TextTable([.left(7), .left(14), .right(5), .right(6), .right(6), .right(11), .right(11), .right(12),
                               .right(13), .right(12), .right(13)])
        let t = SecondsFormat.text
        func optional(_ x: Double?) -> String { x.map(t) ?? "-" }
        var out = [
            "The T1 beside the T2: modeled cryptography of one IKEv1 Phase I responder (one real negotiation per cell;",
            "no trap penalty), and the Phase I it predicts with the non-cryptographic time of the 2007 T2000 run.",
            "",
            table.row(["", "chip", "RSA", "group", "DH x", "with ncp", "non-crypto", "without ncp", "without n2cp",
                       "without both", "predicted"]),
        ]
        for r in rows {
            out.append(table.row([r.platform, r.chip, String(r.rsaBits), String(r.group), String(r.dhPrivateBits),
                                  t(r.withNCPSeconds), t(r.nonCryptoSeconds), t(r.withoutNCPSeconds),
                                  optional(r.withoutN2CPSeconds), optional(r.withoutBothSeconds),
                                  "\(t(r.withNCPSeconds + r.nonCryptoSeconds)) / \(t(r.withoutNCPSeconds + r.nonCryptoSeconds))"]))
        }
        out += [
            "",
            "with ncp: every provider enabled. without ncp: `cryptoadm disable provider=ncp/0 all`; RSA and DH go to sparcfp,",
            "softtoken's floating-point bignum (on the T2's own FGU per core). without n2cp: `cryptoadm disable",
            "provider=n2cp/0 all`; 3DES, SHA-1 and HMAC go to software. non-crypto: 165 ms minus the T2000's with-ncp",
            "cryptography, taken to be the same on both machines. predicted: with ncp / without ncp, plus non-crypto.",
        ]
        return out.joined(separator: "\n")
    }
}

/// `cryptoadm disable provider=NAME all` for some providers, in memory.
public enum ProviderDisabled {
    /// `framework`'s policy with every mechanism and random of each of `providers` disabled.
    public static func policy(of framework: CryptoFramework, providers: [String]) -> Policy {
        var policy = framework.policy
        for name in providers {
            guard let provider = framework.provider(named: name) else { continue }
            policy.disable(provider: name, mechanisms: provider.descriptor.mechanisms.map(\.mechanism) + [.random])
        }
        return policy
    }
}

extension RunReport {
    /// The modeled chip as reports name it: "T1 1.2 GHz" on t2000, "T2 1.4 GHz" on t5220.
    public var modeledChipLabel: String {
        guard let chip = Platform.named(platform)?.chip else { return platform }
        let short = chip.name.hasPrefix("UltraSPARC ") ? String(chip.name.dropFirst("UltraSPARC ".count)) : chip.name
        return String(format: "%@ %.1f GHz", short, chip.clockHz / 1e9)
    }
}

/// One cell of the IKEv2 rows: the modeled cryptography of one real IKEv2
/// negotiation with some providers disabled, and which provider served each
/// operation; or why it could not run (no provider serves an operation).
public struct PlatformComparisonCell: Sendable, Encodable {
    /// Modeled seconds of the responder's operations (nil: not run).
    public let seconds: Double?
    /// Each operation and the providers that served it, e.g. "ec-sign ncp/0".
    public let servedBy: [String]
    /// The framework's error when the negotiation could not run.
    public let unavailable: String?
}

/// The IKEv2 configuration of issue 24 on one platform: a T1 or T2 responder,
/// with every provider, without ncp/0, without n2cp/0 and without both.
public struct PlatformComparisonIKEv2Row: Sendable, Encodable {
    public let platform: String
    public let chip: String
    public let proposal: String
    public let authentication: String
    public let withNCP: PlatformComparisonCell
    public let withoutNCP: PlatformComparisonCell
    /// nil: the platform has no n2cp.
    public let withoutN2CP: PlatformComparisonCell?
    public let withoutBoth: PlatformComparisonCell?
    /// The same non-cryptographic time as the IKEv1 rows (165 ms minus the T2000's IKEv1 cryptography).
    public let nonCryptoSeconds: Double
}

extension PlatformComparison {
    /// The IKEv2 configuration the issue names: ECDSA P-256 signatures and ECP-256 (group 19).
    public static let ikev2Proposal = "aes128-sha256-ecp256"

    /// IKEv2 rows for t2000 and t5220: one real IKEv2 negotiation per cell
    /// (`suite`, signed with `keys`). EC without ncp/0 (and everywhere on the
    /// T1) runs on sparcfp's software ECC (NSS's ECC over integer MPI,
    /// ``MPIFieldCost``); a cell no provider can serve says which operation
    /// failed instead of a time.
    public static func ikev2Rows(
        suite: IKEv2Suite, keys: IKEv2SignatureKeys, identities: IKEIdentities, nonCryptoSeconds: Double
    ) async throws -> [PlatformComparisonIKEv2Row] {
        var rows: [PlatformComparisonIKEv2Row] = []
        let initiator = try MainModeNegotiation.initiatorFramework()
        for platform in [Platform.t2000(chip: .ultraSPARCT1, timing: .fast), .t5220(chip: .ultraSPARCT2, timing: .fast)] {
            let framework = try CryptoFramework(platform: platform, policy: .inMemory(Policy()))
            let hasN2CP = framework.provider(named: "n2cp/0") != nil
            func cell(_ disabled: [String]) async throws -> PlatformComparisonCell {
                let responder = try CryptoFramework(
                    platform: platform, policy: .inMemory(ProviderDisabled.policy(of: framework, providers: disabled)))
                do {
                    let negotiation = IKEv2Negotiation(
                        suite: suite, responderFramework: responder, initiatorFramework: initiator,
                        identities: identities, keys: keys)
                    // A responder checks its EC private key against its public key once (the
                    // provider caches the pairwise check in the key): one negotiation first, so
                    // every cell measures the steady state rather than whichever ran first.
                    _ = try await negotiation.run()
                    let outcome = try await negotiation.run()
                    return PlatformComparisonCell(seconds: PhaseOneExplanation.cryptographySeconds(outcome),
                                                  servedBy: servedBy(outcome.records), unavailable: nil)
                } catch {
                    return PlatformComparisonCell(seconds: nil, servedBy: [], unavailable: String(describing: error))
                }
            }
            rows.append(PlatformComparisonIKEv2Row(
                platform: platform.name, chip: platform.chip?.name ?? platform.name,
                proposal: suite.proposalName, authentication: keys.label,
                withNCP: try await cell([]), withoutNCP: try await cell(["ncp/0"]),
                withoutN2CP: hasN2CP ? try await cell(["n2cp/0"]) : nil,
                withoutBoth: hasN2CP ? try await cell(["ncp/0", "n2cp/0"]) : nil,
                nonCryptoSeconds: nonCryptoSeconds))
        }
        return rows
    }

    /// "operation provider[+provider]" for each operation, in first-seen order.
    static func servedBy(_ records: [IKEOperationRecord]) -> [String] {
        var order: [String] = []
        var providers: [String: [String]] = [:]
        for r in records {
            let name = r.name.rawValue
            if providers[name] == nil { order.append(name); providers[name] = [] }
            if !providers[name]!.contains(r.provider) { providers[name]!.append(r.provider) }
        }
        return order.map { "\($0) \(providers[$0]!.joined(separator: "+"))" }
    }

    /// The IKEv2 rows in the explanation table's format, then where each operation ran.
    public static func ikev2Text(_ rows: [PlatformComparisonIKEv2Row]) -> String {
        let table = TextTable([.left(7), .left(14), .left(12), .right(6), .right(11), .right(11), .right(12),
                               .right(13), .right(12), .right(13)])
        let t = SecondsFormat.text
        func show(_ c: PlatformComparisonCell?) -> String {
            guard let c else { return "-" }
            return c.seconds.map(t) ?? "no provider"
        }
        let proposal = rows.first?.proposal ?? ikev2Proposal
        var out = [
            "IKEv2 (\(proposal), \(rows.first?.authentication ?? "ECDSA P-256")): modeled cryptography of one IKEv2 responder,",
            "IKE_SA_INIT and IKE_AUTH with a child SA (one real negotiation per cell; no trap penalty), same non-crypto time.",
            "",
            table.row(["", "chip", "auth", "group", "with ncp", "non-crypto", "without ncp", "without n2cp",
                       "without both", "predicted"]),
        ]
        for r in rows {
            let predicted = [r.withNCP.seconds, r.withoutNCP.seconds].map { $0.map { t($0 + r.nonCryptoSeconds) } ?? "-" }
            out.append(table.row([r.platform, r.chip, r.authentication, proposal.split(separator: "-").last.map(String.init) ?? "",
                                  show(r.withNCP), t(r.nonCryptoSeconds), show(r.withoutNCP), show(r.withoutN2CP),
                                  show(r.withoutBoth), predicted.joined(separator: " / ")]))
        }
        out += ["", "where each operation ran:"]
        for r in rows {
            for (label, cell) in [("with ncp", r.withNCP), ("without ncp", r.withoutNCP),
                                  ("without n2cp", r.withoutN2CP), ("without both", r.withoutBoth)] {
                guard let cell else { continue }
                let what = cell.unavailable.map { "not run: \($0)" } ?? cell.servedBy.joined(separator: ", ")
                out.append("  \(r.platform) \(label): \(what)")
            }
        }
        out += [
            "",
            "EC in software: the T1's MAU did no ECC (illumos ncp.h lists RSA, DSA and DH), so on the T1, and on the T2",
            "without ncp/0, ECDSA and ECDH run on sparcfp as Solaris' software ECC (NSS's freebl over the integer MPI",
            "bignum, no floating point; most likely later than 2007): the framework's constant-time ladder, its field",
            "operations charged as MPI's instructions at the chip's integer latencies (docs/sparcfp.md).",
        ]
        return out.joined(separator: "\n")
    }
}
