import CryptoFramework
import IKEProtocol

/// What a UDP responder serves with: the Main Mode configuration, the
/// framework its operations go through, and the table's bounds.
public struct ResponderServiceConfiguration: Sendable {
    public var responder: MainModeResponderConfiguration
    /// Its platform's providers hold each operation for its modeled time when
    /// built in timed mode (`serve --timing timed`: Platform.t2000(timing: .timed)).
    public var framework: CryptoFramework
    public var limits: ExchangeLimits

    public init(responder: MainModeResponderConfiguration, framework: CryptoFramework,
                limits: ExchangeLimits = ExchangeLimits()) {
        self.responder = responder
        self.framework = framework
        self.limits = limits
    }
}

/// The datagram side of the Main Mode responder, without sockets: a datagram
/// and its sender in, replies out through `send`. It finds (or, for a message
/// 1, creates) the exchange in a bounded table, answers a repeated message
/// from the stored reply, runs one message at a time per exchange through its
/// ``MainModeResponder``, turns errors into Notify payloads, and times each
/// negotiation from message 1 received to message 6 sent (the 2007 DTrace
/// script's boundaries).
public final class ResponderService: Sendable {
    public typealias Send = @Sendable ([UInt8]) -> Void

    public let configuration: ResponderServiceConfiguration
    public let counters = ServerCounters()
    private let table: Locked<ExchangeTable>
    /// Told of operations, completed negotiations, trace lines and failures.
    private let observer: any ResponderObserver

    public init(_ configuration: ResponderServiceConfiguration, observer: any ResponderObserver = SilentResponderObserver()) {
        self.configuration = configuration
        self.table = Locked(ExchangeTable(limits: configuration.limits))
        self.observer = observer
    }

    /// Exchanges kept now (half-open and established).
    public var exchangeCount: Int { table.withLock { $0.count } }
    /// Half-open exchanges kept now for `host`.
    public func halfOpen(from host: String) -> Int { table.withLock { $0.halfOpenByHost[host, default: 0] } }

    /// Drops what is due (called every second by the server).
    public func expire() {
        let n = table.withLock { $0.expire(now: MonotonicClock.nanoseconds()) }
        if n > 0 { counters.add(.expired, n) }
    }

    private enum Decision {
        case drop(ServerCounters.Name)
        case resend([UInt8])
        case process(ExchangeSlot, CookiePair)
    }

    /// Handles one datagram from `host` (its IP address). Returns the task
    /// that processes it, if any, so a caller (a test) can wait for it.
    @discardableResult
    public func receive(_ datagram: [UInt8], from host: String, send: @escaping Send) -> Task<Void, Never>? {
        counters.add(.received)
        // Too long, or filled the socket's receive buffer and so perhaps cut short.
        guard !DatagramReceiveBuffer.isOversize(datagram.count, maxMessageBytes: configuration.limits.maxMessageBytes) else {
            counters.add(.malformed)
            return nil
        }
        let (message, marked) = NonESPMarker.strip(datagram)
        guard let header = try? ISAKMPMessage.parseHeader(message).header else {
            counters.add(.malformed)
            return nil
        }
        let now = MonotonicClock.nanoseconds()
        let decision = table.withLock { t -> Decision in
            if header.responderCookie.allSatisfy({ $0 == 0 }) {
                return self.message1(header, message, host: host, now: now, table: &t)
            }
            let key = CookiePair(header.initiatorCookie, header.responderCookie)
            guard let slot = t.slot(key), slot.peerHost == host else { return .drop(.unknownCookies) }
            if let repeated = Self.repeated(slot, message) { return repeated }
            // A late copy of an earlier Main Mode message once the SA is up.
            if slot.established && header.exchangeType == .identityProtection { return .drop(.duplicatesDropped) }
            slot.busy = true
            slot.touchedAt = now
            return .process(slot, key)
        }
        switch decision {
        case .drop(let why):
            counters.add(why)
            return nil
        case .resend(let reply):
            counters.add(.retransmitsAnswered)
            send(NonESPMarker.add(reply, marked: marked))
            return nil
        case .process(let slot, let key):
            return Task { await self.process(message, marked: marked, slot: slot, key: key, send: send) }
        }
    }

    private func message1(_ header: ISAKMPHeader, _ message: [UInt8], host: String, now: UInt64,
                          table t: inout ExchangeTable) -> Decision {
        let initiator = CookiePair(header.initiatorCookie, header.responderCookie).initiator
        if let slot = t.slot(forMessage1Of: initiator, host: host) {
            // A late copy of message 1 after the exchange moved on: nothing to do.
            return Self.repeated(slot, message) ?? .drop(.duplicatesDropped)
        }
        guard header.exchangeType == .identityProtection else { return .drop(.unknownCookies) }
        let (admission, expired, evicted) = t.admit(host: host, now: now)
        if expired > 0 { counters.add(.expired, expired) }
        if evicted > 0 { counters.add(.evicted, evicted) }
        switch admission {
        case .tableFull: return .drop(.tableFull)
        case .peerCapReached: return .drop(.peerCapReached)
        case .admitted: break
        }
        let observer = self.observer
        let session = IKECryptoSession(framework: configuration.framework, observe: { observer.operationDone($0) })
        let responder = MainModeResponder(configuration: configuration.responder, session: session)
        let slot = ExchangeSlot(responder: responder, peerHost: host, now: now)
        let key = CookiePair(header.initiatorCookie, responder.responderCookie)
        t.insert(slot, key: key)
        slot.busy = true
        if observer.tracing { observer.trace("Initial packet received, pm_info = \(slot.pmInfo)") }
        return .process(slot, key)
    }

    /// The stored reply when `message` repeats the last request; a drop when
    /// its first copy is still being worked on; nil for a new message.
    private static func repeated(_ slot: ExchangeSlot, _ message: [UInt8]) -> Decision? {
        if slot.lastRequest == message, let reply = slot.lastReply { return .resend(reply) }
        if slot.busy { return .drop(.duplicatesDropped) }
        return nil
    }

    private func process(_ message: [UInt8], marked: Bool, slot: ExchangeSlot, key: CookiePair, send: @escaping Send) async {
        let responder = slot.responder
        let turn: MainModeTurn
        do {
            turn = try await responder.handle(message)
        } catch {
            let e = error as? ISAKMPError ?? ISAKMPError(.cryptoFailure, "\(error)")
            counters.add(.failed)
            observer.exchangeFailed("exchange \(slot.pmInfo) from \(slot.peerHost): \(e)")
            if let notify = await responder.refusal(for: e) {
                counters.add(.notifiesSent)
                send(NonESPMarker.add(notify, marked: marked))
            }
            table.withLock { t in
                slot.busy = false
                // An established SA survives a refused informational or Quick Mode message.
                if !slot.established { t.remove(key) }
            }
            return
        }
        table.withLock { _ in
            if let reply = turn.reply {
                slot.lastRequest = message
                slot.lastReply = reply
            }
            slot.busy = false
        }
        if let reply = turn.reply { send(NonESPMarker.add(reply, marked: marked)) }
        for event in turn.events { handle(event, slot: slot, key: key) }
    }

    private func handle(_ event: MainModeEvent, slot: ExchangeSlot, key: CookiePair) {
        switch event {
        case .established:
            let elapsed = MonotonicClock.nanoseconds() &- slot.startedAt
            let outcome = NegotiationOutcome(hostNanoseconds: elapsed, records: slot.responder.session.records,
                                             platform: configuration.framework.platform)
            table.withLock { $0.markEstablished(key) }
            counters.add(.established)
            if observer.tracing {
                observer.trace("return 16384 - Success")
                observer.trace("pm_info \(slot.pmInfo) finished, took \(elapsed) ns")
            }
            observer.negotiationEstablished(outcome, suite: slot.responder.suite)
        case .initialContact(let peer):
            let n = table.withLock { t in
                let stale = t.established(of: peer, host: slot.peerHost, except: key)
                for k in stale { t.remove(k) }
                return stale.count
            }
            if n > 0 { counters.add(.deleted, n) }
        case .deleted:
            table.withLock { $0.remove(key) }
            counters.add(.deleted)
        case .notified:
            break
        }
    }
}
