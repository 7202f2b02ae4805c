import IKEHarness
import IKEProtocol
import IKEServer
import Synchronization

/// Feeds a responder's completed negotiations to a ``NegotiationRecorder``
/// (as `ikebench serve` does) and counts its operations.
package struct RecordingObserver: ResponderObserver {
    package let recorder: NegotiationRecorder
    package let operations: OperationCounter

    package init(recorder: NegotiationRecorder = NegotiationRecorder(), operations: OperationCounter = OperationCounter()) {
        self.recorder = recorder
        self.operations = operations
    }

    package func operationDone(_ record: IKEOperationRecord) { operations.count.add(1, ordering: .relaxed) }
    package func negotiationEstablished(_ outcome: NegotiationOutcome, suite: IKESuite) { recorder.record(outcome, suite: suite) }
    package func ikev2NegotiationEstablished(_ outcome: NegotiationOutcome, suite: IKEv2Suite) { recorder.record(outcome, ikev2Suite: suite) }
}

/// How many operations a responder ran (to see that a retransmission redoes no crypto).
package final class OperationCounter: Sendable {
    package init() {}
    package let count = Atomic<Int>(0)
}
