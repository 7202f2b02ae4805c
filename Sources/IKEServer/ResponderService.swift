import CryptoFramework
import IKEProtocol
import Synchronization

/// What a UDP responder serves with: the Main Mode configuration, the
/// framework its operations go through, and the table's bounds.
public struct ResponderServiceConfiguration: Sendable {
    public var responder: MainModeResponderConfiguration
    /// Its platform's providers hold each operation for its modeled time when
    /// built in timed mode (`serve --timing timed`: Platform.t2000(timing: .timed)).
    public var framework: CryptoFramework
    public var limits: ExchangeLimits
    /// Modeled Phase I time outside the cryptography (the daemon, the kernel),
    /// added to each negotiation's modeled time as `ikebench compare --overhead` does.
    public var modeledOverheadSeconds: Double
    /// IKEv2 on the same port (IKEv2Service.swift); nil: IKEv2 datagrams are dropped as malformed.
    public var ikev2: IKEv2ResponderConfiguration?
    /// When IKE_SA_INIT must carry a stateless COOKIE (IKEv2Cookies.swift).
    public var ikev2Cookies: IKEv2CookiePolicy

    public init(responder: MainModeResponderConfiguration, framework: CryptoFramework,
                limits: ExchangeLimits = ExchangeLimits(), modeledOverheadSeconds: Double = 0,
                ikev2: IKEv2ResponderConfiguration? = nil, ikev2Cookies: IKEv2CookiePolicy = .strongSwanDefaults) {
        self.responder = responder
        self.framework = framework
        self.limits = limits
        self.modeledOverheadSeconds = modeledOverheadSeconds
        self.ikev2 = ikev2
        self.ikev2Cookies = ikev2Cookies
    }
}

/// The datagram side of the Main Mode responder, without sockets: a datagram
/// and its sender in, replies out through `send`. The bounded table
/// (``ExchangeTable``, a value type behind a lock) decides what each datagram
/// gets: a drop, the stored reply again, or its exchange's turn. A turn runs on
/// the exchange's actor (its ``MainModeResponder``) and the table settles it before
/// anything is sent, so the peer's next message finds the exchange as the
/// reply left it. Errors become Notify payloads; each negotiation is timed
/// from message 1 received to message 6 sent (the 2007 DTrace script's boundaries).
public final class ResponderService: Sendable {
    public typealias Send = @Sendable ([UInt8]) -> Void

    public let configuration: ResponderServiceConfiguration
    public let counters = ServerCounters()
    /// The exchanges of both versions (IKEv2's in IKEv2Service.swift).
    private let table: Locked<ExchangeTable>
    /// IKEv2's stateless cookies, asked for past a threshold of the table's half-open exchanges.
    let ikev2Cookies: IKEv2Cookies
    /// Told of operations, completed negotiations, trace lines and failures.
    let observer: any ResponderObserver
    /// ``observer``'s `operationDone` as the closure every exchange's
    /// ``IKECryptoSession`` calls: made once here, shared by all exchanges.
    let operationDone: @Sendable (IKEOperationRecord) -> Void
    /// Whether IKEv2 is served (``ResponderServiceConfiguration/ikev2`` is set),
    /// read per datagram without copying the configuration out.
    let servesIKEv2: Bool
    /// Turns started and not yet finished (``turnsInFlight``).
    private let running = Atomic<Int>(0)

    public init(_ configuration: ResponderServiceConfiguration, observer: any ResponderObserver = SilentResponderObserver()) {
        self.configuration = configuration
        self.table = Locked(ExchangeTable(limits: configuration.limits))
        self.ikev2Cookies = IKEv2Cookies(policy: configuration.ikev2Cookies)
        self.observer = observer
        self.operationDone = { observer.operationDone($0) }
        self.servesIKEv2 = configuration.ikev2 != nil
    }

    /// Exchanges kept now, both versions (half-open and established).
    public var exchangeCount: Int { table.withLock { $0.count } }
    /// Half-open exchanges kept now, both versions.
    public var halfOpenCount: Int { table.withLock { $0.halfOpenCount } }
    /// Half-open exchanges kept now for `host`, both versions.
    public func halfOpen(from host: String) -> Int { halfOpen(from: PeerAddress(host)) }
    /// Half-open exchanges kept now for `address`, both versions.
    public func halfOpen(from address: PeerAddress) -> Int { table.withLock { $0.halfOpen(from: address) } }

    /// The table under its lock. What it drops on its own meanwhile (expired,
    /// evicted, deleted by the peer) is counted here, for both versions.
    func withTable<R>(_ body: (inout ExchangeTable, inout ExchangeTable.Upkeep) -> R) -> R {
        var upkeep = ExchangeTable.Upkeep()
        let result = table.withLock { body(&$0, &upkeep) }
        if upkeep.expired > 0 { counters.add(.expired, upkeep.expired) }
        if upkeep.evicted > 0 { counters.add(.evicted, upkeep.evicted) }
        if upkeep.deleted > 0 { counters.add(.deleted, upkeep.deleted) }
        return result
    }

    /// Turns started by ``receive`` and not yet finished (their replies not yet
    /// handed to `send`). A server waits for none to be left before it lets its
    /// event loops go (``UDPResponderServer/stop()``).
    public var turnsInFlight: Int { running.load(ordering: .acquiring) }

    /// Counts a turn begun, in ``turnsInFlight``. The caller then makes the
    /// turn's task, whose last step is ``turnEnded()``: nothing of the task may
    /// run after it (``UDPResponderServer/stop()`` lets the loops go once the
    /// count is back to zero). An IKEv2 turn ends inside a function isolated
    /// to its exchange's actor, so its task never switches off the actor again.
    func turnBegun() { running.add(1, ordering: .relaxed) }

    /// The last step of a turn's task (``turnBegun()``).
    func turnEnded() { running.subtract(1, ordering: .releasing) }

    /// Drops what is due, both versions (called every second by the server).
    /// The clock is read under the table's lock, as every message's time is:
    /// read before it, on the timer's loop, while another loop placed and
    /// answered a message (the server's sockets each have a loop), the time
    /// was older than that exchange's last message, and the sweep took it for
    /// 2⁶⁴ ns idle and dropped it — a half-open IKE_SA_INIT answered a moment
    /// before, whose IKE_AUTH then found no exchange (an unknown SPI, dropped,
    /// so the initiator timed out after its retransmissions).
    public func expire() {
        withTable { t, upkeep in upkeep.expired += t.expire(now: MonotonicClock.nanoseconds()) }
    }

    /// The sweep as if the clock read `now` (a test's stand-in for a sweep
    /// whose time is older than the table's last message).
    func expire(now: UInt64) {
        withTable { t, upkeep in upkeep.expired += t.expire(now: now) }
    }

    /// Handles one datagram from `host` (its IP address). Returns the task
    /// that processes it, if any, so a caller (a test) can wait for it.
    /// `executor`: where the datagram's turn runs, public-key work included, and
    /// so where `send` is called from. The UDP server passes the event loop that
    /// read the datagram (``EventLoopTaskExecutor``): the turn and its reply then
    /// cost no thread hand-off, and its several loops, one socket each, use every
    /// core. nil: the task pool.
    @discardableResult
    public func receive(_ datagram: [UInt8], from host: String, executor: (any TaskExecutor)? = nil,
                        send: @escaping Send) -> Task<Void, Never>? {
        receive(datagram, from: PeerAddress(host), executor: executor, send: send)
    }

    /// ``receive(_:from:executor:send:)`` with the sender's address as the
    /// table keys it (``PeerAddress``: its bytes, so no text is made per datagram).
    @discardableResult
    public func receive(_ datagram: [UInt8], from host: PeerAddress, executor: (any TaskExecutor)? = nil,
                        send: @escaping Send) -> Task<Void, Never>? {
        let (message, marked) = NonESPMarker.strip(datagram)
        return receive(message: message, marked: marked, datagramBytes: datagram.count, from: host, executor: executor,
                       replyingTo: ReplyClosure(body: send))
    }

    /// ``receive(_:from:executor:send:)`` with the non-ESP marker already
    /// taken off (`marked`: it was there; the replies get one) and the
    /// replies' destination as a value (the UDP server's writer and the
    /// sender's address, so no closure is allocated per datagram to carry
    /// them): the UDP server copies the message out of its buffer without the
    /// marker, one copy per datagram. `datagramBytes`: the datagram's whole
    /// length, marker included.
    @discardableResult
    func receive(message: [UInt8], marked: Bool, datagramBytes: Int, from host: PeerAddress, executor: (any TaskExecutor)?,
                 replyingTo send: any ReplyDestination) -> Task<Void, Never>? {
        counters.add(.received)
        // Too long, or filled the socket's receive buffer and so perhaps cut short.
        guard !DatagramReceiveBuffer.isOversize(datagramBytes, maxMessageBytes: configuration.limits.maxMessageBytes) else {
            counters.add(.malformed)
            return nil
        }
        // The major version (byte 17's high nibble) of a header-sized message.
        if message.count >= IKEv2Header.size, message[17] >> 4 == 2 {
            return receiveIKEv2(message, marked: marked, from: host, executor: executor, send: send)
        }
        guard let header = try? ISAKMPMessage.parseHeader(message).header else {
            counters.add(.malformed)
            return nil
        }
        let decision = withTable { t, upkeep in
            t.receive(message, header: header, host: host, now: MonotonicClock.nanoseconds(), upkeep: &upkeep) {
                MainModeResponder(configuration, observe: operationDone)
            }
        }
        switch decision {
        case .drop(let why):
            counters.add(why)
            return nil
        case .resend(let reply):
            counters.add(.retransmitsAnswered)
            send(reply, marked: marked)
            return nil
        case .take(let turn):
            if turn.opensExchange && observer.tracing { observer.trace("Initial packet received, pm_info = \(turn.pmInfo)") }
            turnBegun()
            return Task(executorPreference: executor) { await self.take(turn, marked: marked, send: send) }
        }
    }

    /// Runs `turn` on its exchange, settles it in the table, then answers.
    /// The answer is sent off the exchange's actor: a peer that answers
    /// message 6 at once (Quick Mode, as Libreswan does) finds the table
    /// settled and its message's turn free to run on the actor, whatever the
    /// send does meanwhile.
    private func take(_ turn: ExchangeTurn, marked: Bool, send: any ReplyDestination) async {
        defer { turnEnded() }
        switch await turn.responder.take(turn.request) {
        case .answered(let answer, let negotiation):
            withTable { t, upkeep in t.settle(turn, .answered(answer), upkeep: &upkeep) }
            for case .informationalDropped(let reason) in answer.events {
                counters.add(.informationalsDropped)
                observer.exchangeFailed("exchange \(turn.pmInfo) from \(turn.peerHost): informational dropped unanswered: \(reason)")
            }
            // Counted before message 6 leaves, so a peer that has it (and a test
            // asking right after) finds the SA counted; timed and reported after
            // (the report's observer may stop the server, which must not lose message 6).
            if negotiation != nil { counters.add(.established) }
            if let reply = answer.reply { send(reply, marked: marked) }
            if let negotiation { established(turn, negotiation) }
        case .refused(let error, let notify):
            withTable { t, upkeep in t.settle(turn, .refused, upkeep: &upkeep) }
            counters.add(.failed)
            observer.exchangeFailed("exchange \(turn.pmInfo) from \(turn.peerHost): \(error)")
            if let notify {
                counters.add(.notifiesSent)
                send(notify, marked: marked)
            }
        }
    }

    /// Message 6 is sent: the negotiation's time ends here.
    private func established(_ turn: ExchangeTurn, _ negotiation: CompletedNegotiation) {
        let elapsed = MonotonicClock.nanoseconds() &- turn.startedAt
        let outcome = NegotiationOutcome(hostNanoseconds: elapsed, records: negotiation.records,
                                         platform: configuration.framework.platform,
                                         overheadSeconds: configuration.modeledOverheadSeconds)
        if observer.tracing {
            observer.trace("return 16384 - Success")
            observer.trace("pm_info \(turn.pmInfo) finished, took \(elapsed) ns")
        }
        observer.negotiationEstablished(outcome, suite: negotiation.suite)
    }
}

/// Where a datagram's replies go. A protocol rather than a closure, so the UDP
/// server's destination (its writer and the sender's address, two references)
/// is carried inline through the datagram's turn, where a closure capturing
/// them would be one more allocation per datagram.
protocol ReplyDestination: Sendable {
    /// Sends `reply`, behind the non-ESP marker when `marked` (the request had one).
    func callAsFunction(_ reply: [UInt8], marked: Bool)
}

/// A caller's closure as a destination (tests, the public `receive`).
struct ReplyClosure: ReplyDestination {
    let body: ResponderService.Send
    func callAsFunction(_ reply: [UInt8], marked: Bool) { body(NonESPMarker.add(reply, marked: marked)) }
}
