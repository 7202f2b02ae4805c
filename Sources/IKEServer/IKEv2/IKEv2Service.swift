import CryptoFramework
import IKEProtocol

/// IKEv2 in ``ResponderService``: datagrams whose header says major version 2
/// come here (both versions on one port). The exchanges live in the service's
/// one ``ExchangeTable`` beside IKEv1's (ExchangeTable+IKEv2.swift); each
/// exchange's datagrams run one after another on its ``IKEv2Responder``.
/// Timing runs from IKE_SA_INIT received to the IKE_AUTH response sent.
extension ResponderService {
    func receiveIKEv2(_ message: [UInt8], marked: Bool, from host: PeerAddress, executor: (any TaskExecutor)?,
                      send: any ReplyDestination) -> Task<Void, Never>? {
        guard servesIKEv2, let header = IKEv2Route(message) else {
            counters.add(.malformed)
            return nil
        }
        switch placeIKEv2(message, header: header, marked: marked, host: host, executor: executor, send: send, cookieChecked: false) {
        case .placed(let task):
            return task
        case .cookieRequired:
            // The whole header only where a cookie is asked for. It parses where the route
            // did (IKEv2RouteTests); were it not to, the datagram is dropped, never placed
            // past the cookie check.
            guard let full = try? IKEv2Header.parse(message[...]) else {
                counters.add(.malformed)
                return nil
            }
            // The cookie's MAC goes through the framework, whose provider may hold it for
            // a modeled time: checked in a turn, where a timed hold suspends rather than
            // blocking the event loop that read the datagram.
            let framework = configuration.framework
            turnBegun()
            return Task(executorPreference: executor) {
                switch await self.ikev2Cookies.check(message, header: full, host: host, framework: framework) {
                case .pass:
                    await self.placeIKEv2(message, header: header, marked: marked, host: host, executor: executor, send: send,
                                          cookieChecked: true).task?.value
                case .drop:
                    self.counters.add(.malformed)
                case .challenge(let response):
                    self.counters.add(.notifiesSent)
                    send(response, marked: marked)
                }
                self.turnEnded()
            }
        }
    }

    /// Where ``placeIKEv2`` left a datagram.
    private enum IKEv2Placement {
        /// Its turn's task, or nil: dropped (and counted).
        case placed(Task<Void, Never>?)
        /// A new IKE_SA_INIT that must carry a valid COOKIE first; nothing was placed.
        case cookieRequired

        var task: Task<Void, Never>? { if case .placed(let t) = self { t } else { nil } }
    }

    /// Places the datagram in the table under one lock. Unless `cookieChecked`,
    /// a new IKE_SA_INIT (not a retransmission of one kept) is first held to
    /// the cookie threshold, counted over the half-open exchanges of both
    /// versions, overall and from its address, under the same lock.
    private func placeIKEv2(_ message: [UInt8], header: IKEv2Route, marked: Bool, host: PeerAddress, executor: (any TaskExecutor)?,
                            send: any ReplyDestination, cookieChecked: Bool) -> IKEv2Placement {
        guard servesIKEv2 else { return .placed(nil) }
        let mayNeedCookie = !cookieChecked && header.opening && header.exchange == .ikeSAInit && !header.isResponse
        // The datagram's task is made and recorded as its exchange's tail under
        // the same lock as the decision: two datagrams of one exchange decided
        // at once (read on two sockets, or two threads) then still run one
        // after the other, never both after the same predecessor.
        var dropped: ServerCounters.Name?
        var cookieRequired = false
        let placed: (task: Task<Void, Never>, opens: Bool)? = withTable { t, upkeep in
            if mayNeedCookie, !t.knows(initiatorSPI: header.spis.initiator, host: host),
               ikev2Cookies.required(halfOpen: t.halfOpenCount, halfOpenFromHost: t.halfOpen(from: host)) {
                cookieRequired = true
                return nil
            }
            let decision = t.receive(header, host: host, now: MonotonicClock.nanoseconds(), upkeep: &upkeep) {
                let session = IKECryptoSession(framework: configuration.framework, observe: operationDone)
                // The configuration is copied once, into the responder, straight from the service's.
                return IKEv2Responder(configuration: configuration.ikev2!, session: session)
            }
            switch decision {
            case .drop(let why):
                dropped = why
                return nil
            case .take(let key, let responder, let previous, let startedAt, let opens):
                turnBegun()
                let task = Task(executorPreference: executor) {
                    // Most datagrams have no predecessor left in work: no wait, no suspension.
                    if let previous { await previous.value }
                    await self.takeIKEv2(message, key: key, on: responder, startedAt: startedAt, marked: marked, host: host, send: send)
                }
                t.setTail(key, task)
                return (task, opens)
            }
        }
        if cookieRequired { return .cookieRequired }
        if let dropped { counters.add(dropped) }
        guard let placed else { return .placed(nil) }
        if placed.opens && observer.tracing { observer.trace("Initial packet received (IKEv2), SPIi \(header.initiatorSPIText)") }
        return .placed(placed.task)
    }

    /// One datagram's turn on its exchange, isolated to the exchange's actor
    /// from start to end: the task switches onto it once, and reading the
    /// state and suite the turn left costs no switch (nor does the refusal).
    /// The turn ends here (``turnEnded()``), so the task never switches back.
    private func takeIKEv2(_ message: [UInt8], key: ExchangeKey, on responder: isolated IKEv2Responder, startedAt: UInt64,
                           marked: Bool, host: PeerAddress, send: any ReplyDestination) async {
        defer { turnEnded() }
        do {
            let turn = try await responder.handle(message)
            let closed = responder.state == .closed
            let establishedNow = withTable { t, upkeep in t.settle(key, events: turn.events, closed: closed, upkeep: &upkeep) }
            if turn.events.contains(.retransmitted) { counters.add(.retransmitsAnswered) }
            // Counted before the IKE_AUTH response leaves, so a peer that has it (and a
            // test asking right after) finds the SA counted; timed and reported after
            // (the report's observer may stop the server, which must not lose the response).
            if establishedNow { counters.add(.established) }
            for reply in turn.replies { send(reply, marked: marked) }
            if establishedNow {
                let elapsed = MonotonicClock.nanoseconds() &- startedAt
                let outcome = NegotiationOutcome(hostNanoseconds: elapsed, records: responder.session.records,
                                                 platform: configuration.framework.platform,
                                                 overheadSeconds: configuration.modeledOverheadSeconds)
                if observer.tracing { observer.trace("IKEv2 SA established, took \(elapsed) ns") }
                observer.ikev2NegotiationEstablished(outcome, suite: responder.suite)
            }
        } catch {
            let e = error as? IKEv2Error ?? IKEv2Error(.cryptoFailure, "\(error)")
            let refusal = await responder.refusal(for: e)
            // A refused IKE_SA_INIT keeps nothing: the initiator's next try opens a new exchange.
            let state = responder.state
            let closed = state == .closed || state == .awaitingInit
            _ = withTable { t, upkeep in t.settle(key, events: [], closed: closed, upkeep: &upkeep) }
            switch e.code {
            case .unexpectedMessage: counters.add(.duplicatesDropped)
            case .integrityFailure: counters.add(.malformed)
            default: counters.add(.failed)
            }
            observer.exchangeFailed("IKEv2 exchange from \(host): \(e)")
            if let refusal {
                counters.add(.notifiesSent)
                for r in refusal { send(r, marked: marked) }
            }
        }
    }
}
