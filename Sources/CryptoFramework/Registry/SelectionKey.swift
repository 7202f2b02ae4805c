import Foundation
import Synchronization

/// What selection reads of a request, taken out once per request (one switch
/// over it, ``CryptoRequest/selectionFacts``): plain values only, so passing
/// the key between the steps of a request copies no reference (a key binds as
/// one reference, since its fields live in one object).
struct SelectionKey {
    /// The mechanism's PKCS#11 value (``Mechanism/value``).
    let mechanism: UInt64
    /// The mechanism as the request names it, for the report (a catalogued
    /// name: copying it retains no object).
    let requested: Mechanism
    let keyBits: Int?
    /// The curve of an EC request (a one-byte value), matched against the provider's declared curves.
    let curve: ECCurve?
    let flag: MechanismFlags
    /// What the request is, for the counters and the report.
    let served: ServedOperation

    var isRSAPrivateOperation: Bool { served == .sign }
    var servedIndex: Int { served.index }

    /// `request` is borrowed: an initializer's argument is owned by default,
    /// and the request path copied the whole request to pass it.
    init(_ request: borrowing CryptoRequest) {
        served = request.servedOperation
        let facts = request.selectionFacts
        requested = facts.mechanism
        mechanism = facts.mechanism.value
        keyBits = facts.keyBits
        curve = facts.curve
        flag = served.requiredFlag
    }
}
