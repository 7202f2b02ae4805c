import Foundation
import Synchronization

/// What selection reads of a request, taken out once per request: plain
/// values only, so passing the key between the steps of a request copies no
/// reference (a key binds as one reference, since its fields live in one object).
struct SelectionKey {
    /// The mechanism's PKCS#11 value (``Mechanism/value``).
    let mechanism: UInt64
    let keyBits: Int?
    /// The curve of an EC request (a one-byte value), matched against the provider's declared curves.
    let curve: ECCurve?
    let flag: MechanismFlags
    /// What the request is, for the counters and the report.
    let served: ServedOperation

    var isRSAPrivateOperation: Bool { served == .sign }
    var servedIndex: Int { served.index }

    init(_ request: CryptoRequest) {
        served = ServedOperation(request)
        mechanism = request.mechanism.value
        keyBits = request.keyBits
        curve = request.curve
        flag = served.requiredFlag
    }
}
