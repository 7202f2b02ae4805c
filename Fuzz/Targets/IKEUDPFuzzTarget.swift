import CryptoFramework
import Dispatch
import IKEProtocol
import IKEHarness
import IKEServer

/// `ikebench serve`'s datagram path (ResponderService, its exchange table and
/// counters) with a real responder: a 1024-bit RSA identity and one trusted
/// peer key, both made once per process. Each input is a fresh service fed a
/// sequence of datagrams (``IKEUDPFuzzInput``) from a few peer addresses; every
/// datagram is processed to its end before the next, and after each one the
/// table and the counters must still agree with what was sent.
extension FuzzTarget {
    public static let ikeUDP = FuzzTarget(name: "ike-udp") { input in
        let datagrams = IKEUDPFuzzInput.decode(input)
        guard !datagrams.isEmpty else { return .refused }
        return IKEUDPFuzzRun(configuration: IKEUDPFuzzRun.configuration).run(datagrams)
    }
}

/// The framing of an `ike-udp` input: records of one flag byte, a 2-byte
/// big-endian length and that many datagram bytes (fewer if the input ends).
/// Flag bits 0–1 pick the sender (one of four addresses), bit 2 puts the
/// RFC 3948 non-ESP marker in front, bit 3 writes the responder cookie of the
/// last reply that sender got into bytes 8–15 of the message, so a mutated
/// message 3 or 5 reaches the exchange it belongs to (the responder's cookie
/// is random, so a stored message could not name it otherwise).
public enum IKEUDPFuzzInput {
    public struct Datagram: Equatable, Sendable {
        public var sender: Int
        public var marked: Bool
        public var usesLastResponderCookie: Bool
        public var message: [UInt8]

        public init(sender: Int = 0, marked: Bool = false, usesLastResponderCookie: Bool = false, message: [UInt8]) {
            self.sender = sender & 3
            self.marked = marked
            self.usesLastResponderCookie = usesLastResponderCookie
            self.message = message
        }
    }

    /// Records beyond this many are ignored (each may cost a DH and an RSA signature).
    public static let maxDatagrams = 12
    public static let senders = ["192.0.2.1", "192.0.2.2", "198.51.100.7", "203.0.113.200"]

    public static func decode(_ input: [UInt8]) -> [Datagram] {
        var out: [Datagram] = []
        var i = 0
        while i < input.count, out.count < maxDatagrams {
            let flags = input[i]
            let length = i + 2 < input.count ? Int(input[i + 1]) << 8 | Int(input[i + 2]) : 0
            let start = min(i + 3, input.count)
            let end = min(start + length, input.count)
            out.append(Datagram(sender: Int(flags & 3), marked: flags & 4 != 0,
                                usesLastResponderCookie: flags & 8 != 0, message: Array(input[start..<end])))
            i = end
        }
        return out
    }

    public static func encode(_ datagrams: [Datagram]) -> [UInt8] {
        datagrams.flatMap { d -> [UInt8] in
            let flags = UInt8(d.sender & 3) | (d.marked ? 4 : 0) | (d.usesLastResponderCookie ? 8 : 0)
            let n = min(d.message.count, 0xFFFF)
            return [flags, UInt8(n >> 8), UInt8(n & 0xFF)] + d.message.prefix(n)
        }
    }
}

/// One input's run over a fresh ``ResponderService`` with small bounds, so a
/// dozen datagrams can fill the table and reach a peer's cap.
struct IKEUDPFuzzRun {
    static let limits = ExchangeLimits(maxExchanges: 6, maxHalfOpenPerPeer: 3)

    static let configuration: ResponderServiceConfiguration = {
        // The initiator's framework (software only) makes the keys; the responder serves on the host platform.
        guard let keys = try? MainModeNegotiation.initiatorFramework(),
              let framework = try? CryptoFramework(platform: .host, policy: .inMemory(Policy())),
              let identity = try? keys.generateRSAKeyPair(bits: 1024),
              let peer = try? keys.generateRSAKeyPair(bits: 1024)
        else { fatalError("ike-udp: cannot set up the responder (framework or RSA key generation failed)") }
        return ResponderServiceConfiguration(
            responder: MainModeResponderConfiguration(
                suites: IKESuite.defaultResponderSuites,
                identity: MainModeIdentity(key: identity, id: IKEIdentities.responderID),
                peers: FixedPeerKey(peer.publicKey)),
            framework: framework, limits: limits)
    }()

    let service: ResponderService

    init(configuration: ResponderServiceConfiguration) {
        service = ResponderService(configuration)
    }

    func run(_ datagrams: [IKEUDPFuzzInput.Datagram]) -> FuzzVerdict {
        let replies = RepliesSeen()
        var lastResponderCookie: [Int: [UInt8]] = [:]
        var processed = 0, answered = false
        for (n, d) in datagrams.enumerated() {
            var message = d.message
            if d.usesLastResponderCookie, message.count >= 16, let cookie = lastResponderCookie[d.sender] {
                message.replaceSubrange(8..<16, with: cookie)
            }
            let datagram = NonESPMarker.add(message, marked: d.marked)
            let before = replies.count
            if let task = service.receive(datagram, from: IKEUDPFuzzInput.senders[d.sender], send: { replies.append($0) }) {
                processed += 1
                TaskWait.wait(for: task)
            }
            for reply in replies.since(before) {
                answered = true
                let (stripped, marked) = NonESPMarker.strip(reply)
                guard marked == d.marked else {
                    return .unexpected("datagram \(n): a reply \(marked ? "with" : "without") the non-ESP marker to a datagram \(d.marked ? "with" : "without") it")
                }
                guard stripped.count >= 28 else { return .unexpected("datagram \(n): a reply of \(stripped.count) bytes") }
                lastResponderCookie[d.sender] = Array(stripped[8..<16])
            }
            if let broken = checkInvariants(after: n + 1, processed: processed) { return .unexpected("datagram \(n): \(broken)") }
        }
        return answered ? .accepted : .refused
    }

    /// The bounds of the table and the arithmetic of the counters after `received` datagrams.
    private func checkInvariants(after received: Int, processed: Int) -> String? {
        let c = service.counters
        let limits = Self.limits
        if service.exchangeCount > limits.maxExchanges { return "\(service.exchangeCount) exchanges kept, bound \(limits.maxExchanges)" }
        for host in IKEUDPFuzzInput.senders where service.halfOpen(from: host) > limits.maxHalfOpenPerPeer {
            return "\(service.halfOpen(from: host)) half-open exchanges from \(host), cap \(limits.maxHalfOpenPerPeer)"
        }
        if c[.received] != received { return "received counts \(c[.received]), \(received) delivered" }
        let dropped = c[.malformed] + c[.unknownCookies] + c[.duplicatesDropped] + c[.tableFull] + c[.peerCapReached]
        if dropped + c[.retransmitsAnswered] + processed != received {
            return "counters \(c.snapshot) and \(processed) processed do not add up to \(received) received"
        }
        if c[.established] + c[.failed] > processed { return "more outcomes than processed datagrams: \(c.snapshot)" }
        if c[.notifiesSent] > c[.failed] { return "more Notifies than failures: \(c.snapshot)" }
        if c[.expired] != 0 { return "an exchange expired within one input: \(c.snapshot)" }
        return nil
    }
}

/// The replies a service sent, in order.
private final class RepliesSeen: Sendable {
    private let sent = Locked<[[UInt8]]>([])
    var count: Int { sent.withLock { $0.count } }
    func append(_ reply: [UInt8]) { sent.withLock { $0.append(reply) } }
    func since(_ start: Int) -> [[UInt8]] { sent.withLock { Array($0[start...]) } }
}

/// Blocks the calling thread until `task` ends: the fuzz entry point is
/// synchronous. Call it from a thread of its own, never from the cooperative
/// pool (FuzzCorpusTests runs the targets on one).
enum TaskWait {
    static func wait(for task: Task<Void, Never>) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await task.value
            done.signal()
        }
        done.wait()
    }
}
