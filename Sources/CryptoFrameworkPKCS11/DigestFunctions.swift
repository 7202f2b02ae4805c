internal import CPKCS11
import CryptoFramework

/// An active C_Digest*: the mechanism and the data gathered so far.
struct DigestOperation {
    let mechanism: Mechanism
    let length: Int
    var data: [UInt8] = []
    var multiPart = false
}

/// C_DigestInit/C_Digest/C_DigestUpdate/C_DigestFinal.
extension Module {
    func digestInit(_ session: CK_SESSION_HANDLE, _ argument: MechanismArgument) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            guard try s.session(session).digest == nil else { throw .operationActive }
            _ = try s.mechanism(argument.type, flag: .digest)
            guard let hash = HashMechanism.algorithm(argument.type) else { throw .mechanismInvalid }
            guard argument.parameter == nil else { throw .mechanismParamInvalid }
            s.sessions[session]!.digest = DigestOperation(mechanism: hash.digestMechanism, length: hash.digestLength)
        }
    }

    func digestUpdate(_ session: CK_SESSION_HANDLE, _ part: [UInt8]) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            guard var operation = try s.session(session).digest else { throw .operationNotInitialized }
            operation.multiPart = true
            operation.data += part
            let tooLong = operation.data.count > SignOperation.maximumData
            s.sessions[session]!.digest = tooLong ? nil : operation
            if tooLong { throw .dataLenRange }
        }
    }

    /// C_Digest (`data` given) or C_DigestFinal (`data` nil).
    func digest(_ session: CK_SESSION_HANDLE, data: [UInt8]?, _ out: UnsafeMutablePointer<CK_BYTE>?, _ length: UnsafeMutablePointer<CK_ULONG>?) throws(CryptokiError) {
        let (operation, call) = try withState { (s) throws(CryptokiError) in
            guard let operation = try s.session(session).digest else { throw .operationNotInitialized }
            return (operation, s.call)
        }
        do throws(CryptokiError) {
            guard data == nil || !operation.multiPart else { throw CryptokiError.operationActive }
            if try OutputBuffer.check(needed: operation.length, buffer: out, length: length) == .lengthOnly { return }
        } catch {
            if error.rv != CKR_BUFFER_TOO_SMALL { endDigest(session) }
            throw error
        }
        defer { endDigest(session) }
        let digest = try call.bytes(.digest(operation.mechanism, data: data ?? operation.data), function: data == nil ? "C_DigestFinal" : "C_Digest")
        try OutputBuffer.write(digest, to: out, length: length)
    }

    private func endDigest(_ session: CK_SESSION_HANDLE) {
        try? withState { (s) throws(CryptokiError) in
            if s.sessions[session] != nil { s.sessions[session]!.digest = nil }
        }
    }
}
