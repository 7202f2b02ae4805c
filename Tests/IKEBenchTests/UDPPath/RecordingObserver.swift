import IKEHarness
import IKEProtocol
import IKEServer
import Synchronization

/// Feeds a responder's completed negotiations to a ``NegotiationRecorder``
/// (as `ikebench serve` does) and counts its operations.
struct RecordingObserver: ResponderObserver {
    let recorder: NegotiationRecorder
    let operations: OperationCounter

    init(recorder: NegotiationRecorder = NegotiationRecorder(), operations: OperationCounter = OperationCounter()) {
        self.recorder = recorder
        self.operations = operations
    }

    func operationDone(_ record: IKEOperationRecord) { operations.count.add(1, ordering: .relaxed) }
    func negotiationEstablished(_ outcome: NegotiationOutcome, suite: IKESuite) { recorder.record(outcome, suite: suite) }
}
