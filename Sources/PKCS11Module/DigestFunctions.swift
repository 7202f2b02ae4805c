package import CPKCS11
import CryptoFramework

/// An active C_Digest*: the framework stream computing it part by part.
struct DigestOperation: MultiPartOperation {
    let mechanism: Mechanism
    let length: Int
    let stream: CryptoStream
    var multiPart = false
}

/// C_DigestInit/C_Digest/C_DigestUpdate/C_DigestFinal.
extension Module {
    package func digestInit(_ session: CK_SESSION_HANDLE, _ argument: MechanismArgument) throws(CryptokiError) {
        try begin(session, \.digest) { (s) throws(CryptokiError) in
            _ = try s.mechanism(argument.type, flag: .digest)
            guard let mechanism = Mechanism(value: UInt64(argument.type)), let hash = DigestAlgorithm(digestMechanism: mechanism) else {
                throw .mechanismInvalid
            }
            guard argument.parameter == nil else { throw .mechanismParamInvalid }
            let stream = try s.call.stream(.digest(mechanism), function: "C_DigestInit")
            return DigestOperation(mechanism: mechanism, length: hash.digestLength, stream: stream)
        }
    }

    package func digestUpdate(_ session: CK_SESSION_HANDLE, _ part: [UInt8]) throws(CryptokiError) {
        try feed(session, \.digest, part, function: "C_DigestUpdate") { $0.stream }
    }

    /// C_Digest (`data` given) or C_DigestFinal (`data` nil).
    package func digest(_ session: CK_SESSION_HANDLE, data: [UInt8]?, _ out: UnsafeMutablePointer<CK_BYTE>?, _ length: UnsafeMutablePointer<CK_ULONG>?) throws(CryptokiError) {
        let (operation, call) = try active(session, \.digest)
        guard try outputWanted(operation, singlePart: data != nil, needed: operation.length, session, \.digest, out, length) else { return }
        defer { keep(nil, session, \.digest) }
        let function = data == nil ? "C_DigestFinal" : "C_Digest"
        if let data { _ = try call.streamUpdate(operation.stream, data, function: function, step: .data) }
        let digest = try call.streamFinish(operation.stream, function: function, step: .data)
        try OutputBuffer.write(digest, to: out, length: length)
    }
}
