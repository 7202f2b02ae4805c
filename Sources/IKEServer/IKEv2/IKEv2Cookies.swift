import CryptoFramework
import IKEProtocol

/// Stateless cookies (RFC 7296 §2.6) for IKE_SA_INIT once half-open IKE SAs
/// reach a threshold, overall or from one address. Defaults are strongSwan's
/// (charon.cookie_threshold 30, cookie_threshold_ip 3); unlike strongSwan,
/// where 0 turns cookies off (../shared/FACTS.md), a threshold of 0 here
/// demands a cookie always. The cookie is VersionID ‖ HMAC-SHA-256(secret,
/// Ni ‖ IPi ‖ SPIi) (§2.6's suggestion), computed through the framework; the
/// secret is drawn once per service. No exchange is created before a valid
/// cookie comes back, so a flood from spoofed addresses costs one MAC each.
public struct IKEv2CookiePolicy: Sendable {
    public var threshold: Int
    public var thresholdPerAddress: Int
    public static let strongSwanDefaults = IKEv2CookiePolicy(threshold: 30, thresholdPerAddress: 3)
    public init(threshold: Int, thresholdPerAddress: Int) {
        self.threshold = max(0, threshold)
        self.thresholdPerAddress = max(0, thresholdPerAddress)
    }
}

struct IKEv2Cookies: Sendable {
    let policy: IKEv2CookiePolicy
    let secret = SecureBytes(IKERandom.bytes(32))
    static let version: UInt8 = 1

    func required(halfOpen: Int, halfOpenFromHost: Int) -> Bool {
        halfOpen >= policy.threshold || halfOpenFromHost >= policy.thresholdPerAddress
    }

    /// Async, so that a provider modeling the MAC's time suspends its caller
    /// rather than holding the thread (an event loop's, in `serve`).
    func cookie(nonce: [UInt8], host: PeerAddress, spi: [UInt8], framework: CryptoFramework) async -> [UInt8]? {
        let data = SecureBytes(nonce + host.bytes + spi)
        guard let mac = try? await framework.perform(.mac(.sha256HMAC, key: secret, data: data)).value.secret else { return nil }
        return [Self.version] + mac.bytes
    }

    enum Verdict { case pass, challenge([UInt8]), drop }

    /// For a new IKE_SA_INIT that must carry a cookie (``required(halfOpen:halfOpenFromHost:)``):
    /// pass when its COOKIE notify (the first payload, §2.6) is valid; else the
    /// response that asks for one; drop when the message cannot be read.
    func check(_ message: [UInt8], header: IKEv2Header, host: PeerAddress, framework: CryptoFramework) async -> Verdict {
        guard let m = try? IKEv2Message.parse(message), case .nonce(let ni)? = m.first(.nonce),
              let expected = await cookie(nonce: ni, host: host, spi: header.initiatorSPI, framework: framework) else { return .drop }
        if case .notify(let n)? = m.payloads.first, n.type == IKEv2Notify.Status.cookie {
            return constantTimeEquals(n.data, expected) ? .pass : .drop
        }
        let response = IKEv2Message(
            header: IKEv2Header(initiatorSPI: header.initiatorSPI, responderSPI: [UInt8](repeating: 0, count: 8), exchange: .ikeSAInit,
                                flags: .response, messageID: 0),
            payloads: [.notify(IKEv2Notify(type: IKEv2Notify.Status.cookie, data: expected))])
        return .challenge(response.encoded())
    }
}
