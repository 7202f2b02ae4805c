import CryptoFramework

/// What one negotiation cost the responder.
public struct NegotiationOutcome: Sendable {
    /// Host time of the responder's three turns, from message 1 received to message 6 built.
    public let hostNanoseconds: UInt64
    /// Sum of the modeled seconds of its operations plus 2 × RTT, on a platform with a model.
    public let modeledSeconds: Double?
    public let records: [IKEOperationRecord]

    /// `records` of one negotiation that took `hostNanoseconds`; on a platform
    /// with a model, modeled Phase I is the sum of the operations' modeled
    /// seconds plus 2 × RTT and the overhead outside the cryptography.
    public init(hostNanoseconds: UInt64, records: [IKEOperationRecord], platform: Platform,
                rttSeconds: Double = 0, overheadSeconds: Double = 0) {
        self.hostNanoseconds = hostNanoseconds
        self.records = records
        self.modeledSeconds = platform.clockHz == nil ? nil
            : records.reduce(2 * rttSeconds + overheadSeconds) { $0 + ($1.modeledSeconds ?? 0) }
    }
}
