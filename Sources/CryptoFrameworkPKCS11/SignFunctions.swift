internal import CPKCS11
import CryptoFramework

/// C_SignInit/C_Sign/C_SignUpdate/C_SignFinal and the C_Verify* set.
/// Any outcome but a length query or CKR_BUFFER_TOO_SMALL ends the operation.
extension Module {
    func signInit(_ session: CK_SESSION_HANDLE, _ mechanism: MechanismArgument, _ key: CK_OBJECT_HANDLE, signing: Bool) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            let info = try s.session(session)
            guard (signing ? info.sign : info.verify) == nil else { throw .operationActive }
            let object = try s.key(key, usage: signing ? CKA_SIGN : CKA_VERIFY)
            let operation = try SignOperation(mechanism, object: object, state: s, signing: signing)
            if signing { s.sessions[session]!.sign = operation } else { s.sessions[session]!.verify = operation }
        }
    }

    func signUpdate(_ session: CK_SESSION_HANDLE, _ part: [UInt8], signing: Bool) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            guard var operation = try signing ? s.session(session).sign : s.session(session).verify else { throw .operationNotInitialized }
            operation.multiPart = true
            operation.data += part
            let tooLong = operation.data.count > SignOperation.maximumData
            let kept: SignOperation? = tooLong ? nil : operation
            if signing { s.sessions[session]!.sign = kept } else { s.sessions[session]!.verify = kept }
            if tooLong { throw .dataLenRange }
        }
    }

    /// C_Sign (`data` given, the operation must not be multi-part) or C_SignFinal (`data` nil).
    func sign(_ session: CK_SESSION_HANDLE, data: [UInt8]?, _ out: UnsafeMutablePointer<CK_BYTE>?, _ length: UnsafeMutablePointer<CK_ULONG>?) throws(CryptokiError) {
        let (operation, call) = try withState { (s) throws(CryptokiError) in
            guard let operation = try s.session(session).sign else { throw .operationNotInitialized }
            return (operation, s.call)
        }
        do throws(CryptokiError) {
            guard data == nil || !operation.multiPart else { throw CryptokiError.operationActive }
            guard length != nil else { throw CryptokiError.argumentsBad }
            if try OutputBuffer.check(needed: operation.signatureLength, buffer: out, length: length) == .lengthOnly { return }
        } catch {
            if error.rv != CKR_BUFFER_TOO_SMALL { end(session, signing: true) }
            throw error
        }
        defer { end(session, signing: true) }
        guard case .signing(let key) = operation.key else { throw .functionFailed }
        let signature = try call.bytes(
            .sign(operation.mechanism, key: key, data: data ?? operation.data, pss: operation.pss),
            function: data == nil ? "C_SignFinal" : "C_Sign")
        try OutputBuffer.write(signature, to: out, length: length)
    }

    /// C_Verify (`data` given) or C_VerifyFinal (`data` nil). A signature
    /// shorter than the modulus is left-padded with zeros (strongSwan strips
    /// leading zero bytes); a longer one is CKR_SIGNATURE_LEN_RANGE.
    func verify(_ session: CK_SESSION_HANDLE, data: [UInt8]?, signature: [UInt8]) throws(CryptokiError) {
        let (operation, call) = try withState { (s) throws(CryptokiError) in
            guard let operation = try s.session(session).verify else { throw .operationNotInitialized }
            return (operation, s.call)
        }
        defer { end(session, signing: false) }
        guard data == nil || !operation.multiPart else { throw .operationActive }
        guard case .verifying(let key) = operation.key else { throw .functionFailed }
        guard signature.count <= key.byteCount else { throw CryptokiError(CKR_SIGNATURE_LEN_RANGE) }
        let padded = [UInt8](repeating: 0, count: key.byteCount - signature.count) + signature
        let request = CryptoRequest.verify(operation.mechanism, key: key, data: data ?? operation.data, signature: padded, pss: operation.pss)
        guard case .verified(let ok) = try call.perform(request, function: data == nil ? "C_VerifyFinal" : "C_Verify", step: .verify) else {
            throw .deviceError
        }
        guard ok else { throw CryptokiError(CKR_SIGNATURE_INVALID) }
    }

    private func end(_ session: CK_SESSION_HANDLE, signing: Bool) {
        try? withState { (s) throws(CryptokiError) in
            guard s.sessions[session] != nil else { return }
            if signing { s.sessions[session]!.sign = nil } else { s.sessions[session]!.verify = nil }
        }
    }
}
