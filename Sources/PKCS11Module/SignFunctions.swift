package import CPKCS11
import CryptoFramework

/// C_SignInit/C_Sign/C_SignUpdate/C_SignFinal and the C_Verify* set.
/// Any outcome but a length query or CKR_BUFFER_TOO_SMALL ends the operation.
extension Module {
    package func signInit(_ session: CK_SESSION_HANDLE, _ mechanism: MechanismArgument, _ key: CK_OBJECT_HANDLE, signing: Bool) throws(CryptokiError) {
        try begin(session, Self.field(signing), key: key) { (s) throws(CryptokiError) in
            try SignOperation(mechanism, object: s.key(key, usage: signing ? CKA_SIGN : CKA_VERIFY, mechanism: mechanism.type), state: s, signing: signing)
        }
    }

    package func signUpdate(_ session: CK_SESSION_HANDLE, _ part: [UInt8], signing: Bool) throws(CryptokiError) {
        let field = Self.field(signing)
        let (operation, call) = try active(session, field)
        let function = signing ? "C_SignUpdate" : "C_VerifyUpdate"
        if operation.macStream != nil {
            try feed(session, field, part, function: function) { $0.macStream }
        } else if let hash = operation.hashedWith {
            if operation.digestStream == nil {
                var started = operation
                started.digestStream = try call.stream(.digest(hash.digestMechanism), function: function)
                keep(started, session, field)
            }
            try feed(session, field, part, function: function) { $0.digestStream }
        } else {
            try gather(session, field, part)
        }
    }

    /// Final's request and how to read its result: over the gathered message,
    /// or, when the message was hashed as it came, the raw request over its
    /// digest, traced as one line naming both halves.
    private func finish<Value>(
        _ whole: CryptoRequest, _ operation: SignOperation, call: FrameworkCall, function: String, step: OperationStep,
        _ unpack: (consuming CryptoResult) throws -> Value
    ) throws(CryptokiError) -> Value {
        guard let stream = operation.digestStream else { return try call.perform(whole, function: function, step: step, unpack) }
        let digest = try call.streamFinishReported(stream, function: function, step: step)
        guard let raw = operation.prehashed(whole, digest: digest.value) else { throw .functionFailed }
        return try call.performPrehashed(raw, mechanism: operation.mechanism, digest: digest.report, function: function, step: step, unpack)
    }

    /// The MAC of an HMAC operation, `data` fed first (C_Sign, C_Verify), cut to the mechanism's length.
    private func mac(_ stream: CryptoStream, length: Int, data: [UInt8]?, call: FrameworkCall, function: String, step: OperationStep) throws(CryptokiError) -> [UInt8] {
        if let data { _ = try call.streamUpdate(stream, data, function: function, step: step) }
        return Array(try call.streamFinish(stream, function: function, step: step).prefix(length))
    }

    /// A mechanism the module composes itself hashes on a digest stream even
    /// in one call: the stream begins (if no Update began it) and takes `data`.
    private func hashedInModule(
        _ operation: SignOperation, data: [UInt8]?, call: FrameworkCall, function: String, step: OperationStep
    ) throws(CryptokiError) -> SignOperation {
        guard operation.composedInModule, let hash = operation.hashedWith else { return operation }
        var operation = operation
        let stream: CryptoStream
        if let begun = operation.digestStream { stream = begun } else {
            stream = try call.stream(.digest(hash.digestMechanism), function: function)
        }
        operation.digestStream = stream
        if let data { _ = try call.streamUpdate(stream, data, function: function, step: step) }
        return operation
    }

    /// C_Sign (`data` given, the operation must not be multi-part) or C_SignFinal (`data` nil).
    package func sign(_ session: CK_SESSION_HANDLE, data: [UInt8]?, _ out: UnsafeMutablePointer<CK_BYTE>?, _ length: UnsafeMutablePointer<CK_ULONG>?) throws(CryptokiError) {
        let (operation, call) = try active(session, \.sign)
        guard try outputWanted(operation, singlePart: data != nil, needed: operation.signatureLength, session, \.sign, out, length) else { return }
        defer { keep(nil, session, \.sign) }
        if case .mac(let stream, let macLength) = operation.key {
            let value = try mac(stream, length: macLength, data: data, call: call, function: data == nil ? "C_SignFinal" : "C_Sign", step: .data)
            try OutputBuffer.write(value, to: out, length: length)
            return
        }
        let message = data ?? operation.data
        let request: CryptoRequest
        switch operation.key {
        case .signing(let key): request = .sign(operation.mechanism, key: key, data: message, pss: operation.pss)
        case .signingEC(let key): request = .signEC(operation.mechanism, key: key, data: message)
        default: throw .functionFailed
        }
        let function = data == nil ? "C_SignFinal" : "C_Sign"
        let hashed = try hashedInModule(operation, data: data, call: call, function: function, step: .data)
        let signature = try finish(request, hashed, call: call, function: function, step: .data) { try $0.bytes }
        try OutputBuffer.write(signature, to: out, length: length)
    }

    /// C_Verify (`data` given) or C_VerifyFinal (`data` nil). An RSA
    /// signature's length is judged by the framework's ``RSAInputRules`` (up to
    /// 8 bytes short is read as the integer it encodes, since strongSwan strips
    /// leading zero bytes; shorter or longer is CKR_SIGNATURE_LEN_RANGE). An EC
    /// signature (r‖s, R‖S) must be exactly its length.
    package func verify(_ session: CK_SESSION_HANDLE, data: [UInt8]?, signature: [UInt8]) throws(CryptokiError) {
        let (operation, call) = try active(session, \.verify)
        defer { keep(nil, session, \.verify) }
        guard data == nil || !operation.multiPart else { throw .operationActive }
        if case .mac(let stream, let macLength) = operation.key {
            // The length alone can show the MAC wrong (v2.40 §5.13); the bytes are compared in constant time.
            guard signature.count == macLength else { throw CryptokiError(CKR_SIGNATURE_LEN_RANGE) }
            let value = try mac(stream, length: macLength, data: data, call: call, function: data == nil ? "C_VerifyFinal" : "C_Verify", step: .verify)
            guard constantTimeEquals(value, signature) else { throw CryptokiError(CKR_SIGNATURE_INVALID) }
            return
        }
        let message = data ?? operation.data
        let request: CryptoRequest
        switch operation.key {
        case .verifying(let key):
            request = .verify(operation.mechanism, key: key, data: message, signature: signature, pss: operation.pss)
        case .verifyingEC(let key):
            guard signature.count == operation.signatureLength else { throw CryptokiError(CKR_SIGNATURE_LEN_RANGE) }
            request = .verifyEC(operation.mechanism, key: key, data: message, signature: signature)
        default:
            throw .functionFailed
        }
        let function = data == nil ? "C_VerifyFinal" : "C_Verify"
        let hashed = try hashedInModule(operation, data: data, call: call, function: function, step: .verify)
        let ok = try finish(request, hashed, call: call, function: function, step: .verify) { try $0.verified }
        guard ok else { throw CryptokiError(CKR_SIGNATURE_INVALID) }
    }

    private static func field(_ signing: Bool) -> WritableKeyPath<Session, SignOperation?> { signing ? \.sign : \.verify }
}
