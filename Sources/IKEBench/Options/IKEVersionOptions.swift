import ArgumentParser
import CryptoFramework
import IKEHarness
import IKEProtocol
import Providers

/// `--ike 1|2`, `--ikev2-proposal` and `--ikev2-auth`, shared by `run` and `compare`.
struct IKEVersionOptions: ParsableArguments {
    @Option(help: "IKE version: 1 (Main Mode, --group/--prf/--cipher) or 2 (IKE_SA_INIT and IKE_AUTH, --ikev2-proposal; in process with a child SA, with --peer childless).")
    var ike = 1

    @Option(name: .customLong("ikev2-proposal"), help: "With --ike 2: the IKEv2 proposal, strongSwan style: aes128|aes256-sha256|sha384|sha512[-prfshaN]-GROUP or aes128gcm16|aes256gcm16-prfsha256|384|512-GROUP (RFC 5282) (repeatable with --peer; in process the first; default aes128-sha256-modp2048).")
    var ikev2Proposal: [String] = []

    @Option(name: .customLong("ikev2-auth"), help: "With --ike 2 in process: rsa (--rsa-bits), ecdsa-p256 or ecdsa-p384 (RFC 4754). Default: ECDSA on the curve of an ecp256/ecp384 proposal, else rsa.")
    var ikev2Auth: String?

    static let defaultProposal = "aes128-sha256-modp2048"

    func validate() throws {
        guard ike == 1 || ike == 2 else { throw ValidationError("--ike is 1 or 2") }
        for p in ikev2Proposal where IKEv2Suite(proposalName: p) == nil {
            throw ValidationError("--ikev2-proposal \(p) is not an IKEv2 proposal we offer")
        }
        if let a = ikev2Auth, !["rsa", "ecdsa-p256", "ecdsa-p384"].contains(a) {
            throw ValidationError("--ikev2-auth \(a): use rsa, ecdsa-p256 or ecdsa-p384")
        }
        if ike == 1 && (!ikev2Proposal.isEmpty || ikev2Auth != nil) {
            throw ValidationError("--ikev2-proposal and --ikev2-auth need --ike 2")
        }
    }

    /// The suite in-process runs negotiate (nil for IKEv1), our MODP private
    /// value `dhPrivate` long (nil: the provider's default), as IKEv1's suite.
    func inProcessSuite(dhPrivate: DHPrivateValueLength?) -> IKEv2Suite? {
        guard ike == 2, var suite = IKEv2Suite(proposalName: ikev2Proposal.first ?? Self.defaultProposal) else { return nil }
        if case .modp(let g) = suite.group, let dhPrivate { suite.dhPrivateBits = dhPrivate.bits(for: g) }
        return suite
    }

    /// Every suite offered (`--peer`), nil for IKEv1.
    var offeredSuites: [IKEv2Suite]? {
        ike == 2 ? (ikev2Proposal.isEmpty ? [Self.defaultProposal] : ikev2Proposal).compactMap { IKEv2Suite(proposalName: $0) } : nil
    }

    /// The ECDSA curve the in-process negotiation signs with (nil: RSA).
    var ecdsaCurve: ECCurve? {
        switch ikev2Auth {
        case "rsa": return nil
        case "ecdsa-p256": return .p256
        case "ecdsa-p384": return .p384
        default:
            if case .ecp(let c) = inProcessSuite(dhPrivate: nil)?.group, c == .p256 || c == .p384 { return c }
            return nil
        }
    }

    /// The keys of an in-process IKEv2 negotiation: the RSA `identities`, or fresh ECDSA keys.
    func keys(rsa identities: IKEIdentities) async throws -> IKEv2SignatureKeys {
        if let curve = ecdsaCurve {
            return try await IKEv2SignatureKeys.ecdsa(curve: curve, framework: try MainModeNegotiation.initiatorFramework())
        }
        return IKEv2SignatureKeys(rsa: identities)
    }
}
