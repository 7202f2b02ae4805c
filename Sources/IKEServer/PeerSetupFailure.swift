import CryptoFramework
import IKEProtocol

/// Where one setup of ``PeerInitiator`` or ``IKEv2PeerInitiator`` stood, kept
/// up to date as it goes, so that a failure can say more than its error: the
/// request outstanding and the SPIs (IKEv1: cookies) it carried, how often it
/// was sent, what came back and was ignored while waiting for its answer.
/// ``UDPPeerLoad``'s workers put it in the ``PeerSetupFailure`` they throw.
public struct PeerSetupProgress: Sendable {
    /// 1 (Main Mode) or 2; 0 until the initiator starts.
    public internal(set) var version = 0
    /// The outstanding request's exchange type (IKEv2) or Main Mode message number (IKEv1); 0 before the first is sent.
    var requestCode: UInt8 = 0
    public internal(set) var messageID: UInt32 = 0
    /// The SPIs (IKEv1: cookies) the outstanding request carried; the responder's is zero until it has answered once.
    public internal(set) var initiatorSPI: UInt64 = 0
    public internal(set) var responderSPI: UInt64 = 0
    /// Times the outstanding request was sent (2 or more: retransmitted on silence
    /// or, IKEv1, after a copy of an earlier reply).
    public internal(set) var sends = 0
    /// Requests sent in the whole setup, retransmissions included.
    public internal(set) var totalSends = 0
    /// IKE_SA_INIT sent anew (after a COOKIE or INVALID_KE_PAYLOAD).
    public internal(set) var restarts = 0
    /// Datagrams received while a request was outstanding and ignored (another
    /// exchange's, a duplicate, one failing its ICV), and why the first of them was
    /// (kept as the error, made text only for a failure's report).
    public internal(set) var ignored = 0
    var firstIgnored: (any Error & Sendable)?
    /// When the setup began (its first request built).
    public internal(set) var startedAt = MonotonicClock.nanoseconds()

    public init() {}

    /// The request outstanding: "IKE_SA_INIT", "IKE_AUTH", "message 3"; nil before the first is sent.
    public var request: String? {
        guard requestCode != 0 else { return nil }
        if version == 1 { return "message \(requestCode)" }
        return switch IKEv2ExchangeType(rawValue: requestCode) {
        case .ikeSAInit: "IKE_SA_INIT"
        case .ikeAuth: "IKE_AUTH"
        case .createChildSA: "CREATE_CHILD_SA"
        case .informational: "INFORMATIONAL"
        case nil: "exchange type \(requestCode)"
        }
    }

    /// An IKEv2 request (its first datagram: its header names it) sent, for
    /// the first time when `anew` (the initiator's word: a restarted
    /// IKE_SA_INIT has the same header as the first) or once more. Read from
    /// the header's bytes where they are (SPIs at 0 and 8, exchange type at 18,
    /// message ID at 20), with no parse: this runs for every request of every
    /// setup of a load.
    mutating func sent(ikev2 datagram: [UInt8], anew: Bool) {
        guard datagram.count >= IKEv2Header.size else { return }
        sent(version: 2, code: datagram[18], messageID: HeaderBytes.u32(datagram, 20),
             initiator: HeaderBytes.u64(datagram, 0), responder: HeaderBytes.u64(datagram, 8), anew: anew)
    }

    /// IKEv1 Main Mode's message `number` sent (the ISAKMP header has the cookies and message ID where IKEv2 has its SPIs and ID).
    mutating func sent(ikev1 message: [UInt8], number: Int) {
        guard message.count >= ISAKMPHeader.size else { return }
        sent(version: 1, code: UInt8(clamping: number), messageID: HeaderBytes.u32(message, 20),
             initiator: HeaderBytes.u64(message, 0), responder: HeaderBytes.u64(message, 8))
    }

    private mutating func sent(version: Int, code: UInt8, messageID: UInt32, initiator: UInt64, responder: UInt64, anew: Bool = false) {
        if anew || code != requestCode || messageID != self.messageID || responder != responderSPI || version != self.version {
            // A new request. IKE_SA_INIT again is a restart (a COOKIE, another group).
            if version == 2, code == IKEv2ExchangeType.ikeSAInit.rawValue, requestCode == code { restarts += 1 }
            self.version = version
            requestCode = code
            self.messageID = messageID
            initiatorSPI = initiator
            responderSPI = responder
            sends = 0
        }
        sends += 1
        totalSends += 1
    }

    /// A datagram taken while waiting and ignored, for `why`.
    mutating func ignored(_ why: @autoclosure () -> any Error & Sendable) {
        ignored += 1
        if firstIgnored == nil { firstIgnored = why() }
    }
}

/// A setup that failed, with where it stood: what ``UDPPeerLoad``'s workers
/// throw, so the load's report can say which request was unanswered or
/// refused, the exchange's SPIs, and how often the request went out.
/// ``reason`` leaves the exchange's own values out (equal causes read
/// alike and are counted together); ``description`` has them all.
public struct PeerSetupFailure: Error, CustomStringConvertible {
    /// What the initiator threw: a ``PeerInitiator/NoReply``, an `IKEv2Error`
    /// or `ISAKMPError` (a refusal names its Notify type) …
    public let error: any Error
    public let progress: PeerSetupProgress
    /// From the setup's start to its failure.
    public let elapsedNanoseconds: UInt64

    public init(_ error: any Error, progress: PeerSetupProgress, now: UInt64 = MonotonicClock.nanoseconds()) {
        self.error = error
        self.progress = progress
        elapsedNanoseconds = now &- progress.startedAt
    }

    /// The version, the request outstanding and the error: "IKEv2 IKE_AUTH: no answer after 3 sends 2.0 s apart".
    public var reason: String {
        let version = progress.version == 0 ? "IKE" : "IKEv\(progress.version)"
        return "\(version) \(progress.request ?? "before any request"): \(error)"
    }

    /// ``reason`` and the exchange: its SPIs, the request's message ID and
    /// sends, the setup's sends and restarts, the datagrams ignored, the time taken.
    public var description: String {
        let p = progress
        var parts = [
            "SPIi \(Self.hex(p.initiatorSPI)) SPIr \(Self.hex(p.responderSPI))",
            "message ID \(p.messageID)",
            "\(p.request ?? "request") sent \(p.sends) time\(p.sends == 1 ? "" : "s") (\(p.totalSends) sends in all"
                + (p.restarts > 0 ? ", IKE_SA_INIT restarted \(p.restarts)×" : "") + ")",
        ]
        if p.ignored > 0 {
            parts.append("\(p.ignored) datagram\(p.ignored == 1 ? "" : "s") ignored (the first: \(p.firstIgnored.map { "\($0)" } ?? "?"))")
        }
        parts.append("\(elapsedNanoseconds / 1_000_000) ms into the setup")
        return reason + " [" + parts.joined(separator: ", ") + "]"
    }

    /// An SPI or cookie as 16 hex digits; "0" when none was known yet.
    static func hex(_ v: UInt64) -> String { v == 0 ? "0" : HeaderBytes.hex(v) }
}
