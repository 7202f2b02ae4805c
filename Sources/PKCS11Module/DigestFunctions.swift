package import CPKCS11
import CryptoFramework

/// An active C_Digest*: the mechanism and the data gathered so far.
struct DigestOperation: GatheringOperation {
    let mechanism: Mechanism
    let length: Int
    var data: [UInt8] = []
    var multiPart = false
}

/// C_DigestInit/C_Digest/C_DigestUpdate/C_DigestFinal.
extension Module {
    package func digestInit(_ session: CK_SESSION_HANDLE, _ argument: MechanismArgument) throws(CryptokiError) {
        try begin(session, \.digest) { (s) throws(CryptokiError) in
            _ = try s.mechanism(argument.type, flag: .digest)
            guard let hash = HashMechanism.algorithm(argument.type) else { throw .mechanismInvalid }
            guard argument.parameter == nil else { throw .mechanismParamInvalid }
            return DigestOperation(mechanism: hash.digestMechanism, length: hash.digestLength)
        }
    }

    package func digestUpdate(_ session: CK_SESSION_HANDLE, _ part: [UInt8]) throws(CryptokiError) {
        try gather(session, \.digest, part)
    }

    /// C_Digest (`data` given) or C_DigestFinal (`data` nil).
    package func digest(_ session: CK_SESSION_HANDLE, data: [UInt8]?, _ out: UnsafeMutablePointer<CK_BYTE>?, _ length: UnsafeMutablePointer<CK_ULONG>?) throws(CryptokiError) {
        let (operation, call) = try active(session, \.digest)
        guard try outputWanted(operation, singlePart: data != nil, needed: operation.length, session, \.digest, out, length) else { return }
        defer { keep(nil, session, \.digest) }
        let digest = try call.bytes(.digest(operation.mechanism, data: data ?? operation.data), function: data == nil ? "C_DigestFinal" : "C_Digest")
        try OutputBuffer.write(digest, to: out, length: length)
    }
}
