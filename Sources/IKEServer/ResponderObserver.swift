import CryptoFramework
import IKEProtocol

/// What a ``ResponderService`` tells the program around it: every operation,
/// every negotiation that completes, the 2007 script's trace lines and why
/// exchanges failed. The server keeps no report of its own; `ikebench serve`
/// feeds these to its recorder and live display, the tests to theirs.
/// Every requirement has a default that ignores the event.
public protocol ResponderObserver: Sendable {
    /// One operation of a negotiation, as the framework served it.
    func operationDone(_ record: IKEOperationRecord)
    /// A negotiation reached its established state, timed from message 1 received.
    func negotiationEstablished(_ outcome: NegotiationOutcome, suite: IKESuite)
    /// An IKEv2 SA was established, timed from IKE_SA_INIT received to the IKE_AUTH response sent.
    func ikev2NegotiationEstablished(_ outcome: NegotiationOutcome, suite: IKEv2Suite)
    /// Whether ``trace(_:)`` wants lines (they are only built when it does).
    var tracing: Bool { get }
    /// A --trace line, in the words of the 2007 DTrace script.
    func trace(_ line: String)
    /// Why an exchange failed, one line (diagnostics).
    func exchangeFailed(_ line: String)
}

extension ResponderObserver {
    public func operationDone(_ record: IKEOperationRecord) {}
    public func negotiationEstablished(_ outcome: NegotiationOutcome, suite: IKESuite) {}
    public func ikev2NegotiationEstablished(_ outcome: NegotiationOutcome, suite: IKEv2Suite) {}
    public var tracing: Bool { false }
    public func trace(_ line: String) {}
    public func exchangeFailed(_ line: String) {}
}

/// An observer that ignores everything.
public struct SilentResponderObserver: ResponderObserver {
    public init() {}
}
