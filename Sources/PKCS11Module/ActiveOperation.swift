package import CPKCS11
import CryptoFramework

/// An operation with a single-part and a multi-part form.
protocol MultiPartOperation {
    /// Set by the first Update: C_Sign/C_Digest may no longer finish it (v2.40 §5.12).
    var multiPart: Bool { get set }
}

/// A multi-part operation that gathers its input until Final (RSA and EC
/// signatures: the framework takes whole messages).
protocol GatheringOperation: MultiPartOperation {
    var data: [UInt8] { get set }
}

/// Longest message a multi-part operation gathers.
let maximumGatheredData = 64 << 20

/// The steps every active operation shares, by the session field that holds it.
extension Module {
    /// The operation in `session` at `field` (CKR_OPERATION_NOT_INITIALIZED when
    /// none), with the framework to run it on.
    func active<T>(_ session: CK_SESSION_HANDLE, _ field: WritableKeyPath<Session, T?>) throws(CryptokiError) -> (T, FrameworkCall) {
        try withState { (s) throws(CryptokiError) in
            guard let operation = try s.session(session)[keyPath: field] else { throw .operationNotInitialized }
            return (operation, s.call)
        }
    }

    /// Starts an operation at `field`: CKR_OPERATION_ACTIVE when one runs there.
    /// An operation with a private `key` ends at C_Logout (v2.40 §5.6).
    func begin<T>(
        _ session: CK_SESSION_HANDLE, _ field: WritableKeyPath<Session, T?>, key: CK_OBJECT_HANDLE? = nil,
        _ make: (ModuleState) throws(CryptokiError) -> T
    ) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            guard try s.session(session)[keyPath: field] == nil else { throw .operationActive }
            let operation = try make(s)
            s.sessions[session]![keyPath: field] = operation
            let usesPrivateKey = key.map { s.objects[$0]?.isPrivate == true } ?? false
            s.sessions[session]!.endAtLogout[field] = usesPrivateKey ? { $0[keyPath: field] = nil } : nil
        }
    }

    /// The kinds of operation a call's refused input ends.
    package enum OperationKind: Sendable {
        case encrypt, decrypt, digest, sign, verify
    }

    /// Ends the session's active operation of `kind`, if any. For a call that
    /// ends its operation whatever the error (v2.40 §5.8–5.12: C_Encrypt,
    /// C_EncryptUpdate, C_Digest*, C_Sign*, C_Verify* end it unless the answer is
    /// CKR_BUFFER_TOO_SMALL or a length query) when the C layer refused its
    /// input before the module saw it (a NULL pointer with a length: CKR_ARGUMENTS_BAD).
    package func endOperation(_ session: CK_SESSION_HANDLE, _ kind: OperationKind) {
        switch kind {
        case .encrypt:
            keep(nil as CipherStream?, session, \.encrypt)
            keep(nil as RSACipherOperation?, session, \.encryptRSA)
        case .decrypt:
            keep(nil as CipherStream?, session, \.decrypt)
            keep(nil as RSACipherOperation?, session, \.decryptRSA)
        case .digest: keep(nil as DigestOperation?, session, \.digest)
        case .sign: keep(nil as SignOperation?, session, \.sign)
        case .verify: keep(nil as SignOperation?, session, \.verify)
        }
    }

    /// Replaces (nil: ends) the operation at `field`; a session closed meanwhile is left alone.
    func keep<T>(_ operation: T?, _ session: CK_SESSION_HANDLE, _ field: WritableKeyPath<Session, T?>) {
        try? withState { (s) throws(CryptokiError) in
            if s.sessions[session] != nil { s.sessions[session]![keyPath: field] = operation }
        }
    }

    /// C_SignUpdate, C_VerifyUpdate, C_DigestUpdate: the part joins the data.
    func gather<T: GatheringOperation>(_ session: CK_SESSION_HANDLE, _ field: WritableKeyPath<Session, T?>, _ part: [UInt8]) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            guard var operation = try s.session(session)[keyPath: field] else { throw .operationNotInitialized }
            operation.multiPart = true
            operation.data += part
            let tooLong = operation.data.count > maximumGatheredData
            s.sessions[session]![keyPath: field] = tooLong ? nil : operation
            if tooLong { throw .dataLenRange }
        }
    }

    /// C_DigestUpdate, C_SignUpdate, C_VerifyUpdate on a framework stream:
    /// the part goes to the provider now. An error ends the operation.
    func feed<T: MultiPartOperation>(
        _ session: CK_SESSION_HANDLE, _ field: WritableKeyPath<Session, T?>, _ part: [UInt8], function: String,
        _ stream: (T) -> CryptoStream?
    ) throws(CryptokiError) {
        var (operation, call) = try active(session, field)
        guard let target = stream(operation) else { throw .functionFailed }
        do {
            _ = try call.streamUpdate(target, part, function: function, step: .data)
        } catch {
            keep(nil, session, field)
            throw error
        }
        if !operation.multiPart {
            operation.multiPart = true
            keep(operation, session, field)
        }
    }

    /// Before computing an output of `needed` bytes: the two-call protocol's
    /// checks. False for a length query (the operation stays); a short buffer
    /// throws CKR_BUFFER_TOO_SMALL (the operation stays); any other error ends it.
    func outputWanted<T: MultiPartOperation>(
        _ operation: T, singlePart: Bool, needed: Int, _ session: CK_SESSION_HANDLE, _ field: WritableKeyPath<Session, T?>,
        _ out: UnsafeMutablePointer<CK_BYTE>?, _ length: UnsafeMutablePointer<CK_ULONG>?
    ) throws(CryptokiError) -> Bool {
        do throws(CryptokiError) {
            guard !singlePart || !operation.multiPart else { throw CryptokiError.operationActive }
            return try OutputBuffer.check(needed: needed, buffer: out, length: length) == .written
        } catch {
            if error.rv != CKR_BUFFER_TOO_SMALL { keep(nil, session, field) }
            throw error
        }
    }
}
