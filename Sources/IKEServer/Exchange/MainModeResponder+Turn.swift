import CryptoFramework
import IKEProtocol

extension MainModeResponder {
    /// A responder for one exchange of the service: its operations reported to `observer`.
    init(_ configuration: ResponderServiceConfiguration, observer: any ResponderObserver) {
        self.init(configuration, observe: { observer.operationDone($0) })
    }

    /// A responder whose operations go to `observe` (the service's one closure,
    /// shared by every exchange rather than made per exchange).
    /// `configuration` is borrowed: only the framework and the Main Mode part
    /// are copied, not the whole service configuration (an initializer's
    /// parameter is otherwise a copy of its own).
    init(_ configuration: borrowing ResponderServiceConfiguration, observe: @escaping @Sendable (IKEOperationRecord) -> Void) {
        let session = IKECryptoSession(framework: configuration.framework, observe: observe)
        self.init(configuration: configuration.responder, session: session)
    }

    /// One turn of the exchange, run on its actor: the reply and events (with
    /// what the negotiation cost when this turn established the SA), or the
    /// error and the Notify that refuses it. Which message gets a turn, and
    /// when, is the table's decision (``ExchangeTable``).
    func take(_ message: [UInt8]) async -> ExchangeTurnResult {
        do {
            let turn = try await handle(message)
            let establishes = turn.events.contains { if case .established = $0 { true } else { false } }
            return .answered(turn, negotiation: establishes ? CompletedNegotiation(records: session.records, suite: suite) : nil)
        } catch {
            let e = error as? ISAKMPError ?? ISAKMPError(.cryptoFailure, "\(error)")
            return .refused(e, notify: await refusal(for: e))
        }
    }
}

/// How a turn of an exchange ended.
enum ExchangeTurnResult: Sendable {
    case answered(MainModeTurn, negotiation: CompletedNegotiation?)
    /// `notify` is nil for errors that are not RFC 2408 notify types.
    case refused(ISAKMPError, notify: [UInt8]?)
}

/// A Main Mode a turn completed: its operations and suite, for the observer.
struct CompletedNegotiation: Sendable {
    let records: [IKEOperationRecord]
    let suite: IKESuite
}
