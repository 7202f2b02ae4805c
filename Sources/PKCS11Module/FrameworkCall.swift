package import CPKCS11
import CryptoFramework

/// Every cryptographic operation of the module goes through here: the
/// registry selects, fails over and counts it exactly as for a Swift caller;
/// the trace (when on) names the provider that served it; a framework error
/// becomes the return value the step allows.
struct FrameworkCall {
    let framework: CryptoFramework
    let trace: Trace

    func perform(_ request: CryptoRequest, function: String, step: OperationStep) throws(CryptokiError) -> CryptoResult {
        do {
            let reported = try framework.perform(request)
            trace.served(function, reported.report)
            return reported.value
        } catch let error as CryptoError {
            if trace.isOn { trace.note("\(function) \(request.mechanism.name) failed: \(error)") }
            throw CryptokiError(error, step: step)
        } catch {
            throw .functionFailed
        }
    }

    /// ``perform(_:function:step:)``, its value taken out with `unpack` (one of
    /// ``CryptoResult``'s accessors); a result of the wrong kind is CKR_DEVICE_ERROR.
    func perform<Value>(
        _ request: CryptoRequest, function: String, step: OperationStep,
        _ unpack: (consuming CryptoResult) throws -> Value
    ) throws(CryptokiError) -> Value {
        let result = try perform(request, function: function, step: step)
        do { return try unpack(result) } catch { throw .deviceError }
    }

    /// Key material (``CryptoResult/keyMaterial()``: random output lands in a wiping buffer).
    func secret(_ request: CryptoRequest, function: String, step: OperationStep = .setup) throws(CryptokiError) -> SecureBytes {
        try perform(request, function: function, step: step) { try $0.keyMaterial() }
    }

    func bytes(_ request: CryptoRequest, function: String, step: OperationStep = .data) throws(CryptokiError) -> [UInt8] {
        try perform(request, function: function, step: step) { try $0.bytes }
    }
}

extension ModuleState {
    var call: FrameworkCall { FrameworkCall(framework: framework, trace: trace) }

    /// The key object for an operation with `mechanism`: CKR_KEY_HANDLE_INVALID
    /// when the handle names nothing visible, CKR_KEY_FUNCTION_NOT_PERMITTED
    /// when its `usage` attribute is false, CKR_MECHANISM_INVALID when its
    /// CKA_ALLOWED_MECHANISMS lists mechanisms and not this one.
    func key(
        _ handle: CK_OBJECT_HANDLE, usage: CK_ATTRIBUTE_TYPE, mechanism: CK_MECHANISM_TYPE
    ) throws(CryptokiError) -> ObjectRecord {
        let object = try object(handle, invalid: .keyInvalid)
        guard [CKO_PUBLIC_KEY, CKO_PRIVATE_KEY, CKO_SECRET_KEY].contains(object.objectClass) else { throw .keyInvalid }
        // A key whose class has no such usage (signing with a public key) is the wrong type.
        guard let allowed = object.attributes[usage] else { throw .keyTypeInconsistent }
        guard allowed == [1] else { throw .keyFunctionNotPermitted }
        guard object.allows(mechanism) else { throw .mechanismInvalid }
        return object
    }

    /// The slot's entry for `type` if the policy allows it now with `flag`, else CKR_MECHANISM_INVALID.
    func mechanism(_ type: CK_MECHANISM_TYPE, flag: MechanismFlags) throws(CryptokiError) -> MetaslotMechanism {
        guard let entry = mechanismEntries.entry(UInt(type), framework), entry.flags & UInt(flag.rawValue) != 0
        else { throw .mechanismInvalid }
        return entry
    }
}

/// The slot's entries (``MetaslotMechanisms/entry(_:_:_:)``) already computed
/// under the framework's selection data in force. An entry is a function of
/// the policy and the provider set alone, and the framework's
/// ``CryptoFramework/selectionGeneration`` is raised whenever either changes,
/// so an entry kept under the generation read before and after computing it is
/// the one a new computation would give; a new generation empties the cache.
/// Every C_*Init asks, and a computation walks every provider up to three
/// times (the hash-and-sign compositions): 1 µs of the 2.7 µs the module added
/// to a C_VerifyInit + C_Verify pair (docs/performance.md).
final class MechanismEntryCache: Sendable {
    private struct State {
        var generation: UInt64?
        var entries: [UInt: MetaslotMechanism?] = [:]
    }
    private let state = Locked(State())

    func entry(_ type: UInt, _ framework: CryptoFramework) -> MetaslotMechanism? {
        let generation = framework.selectionGeneration
        if let cached = state.withLock({ s -> MetaslotMechanism?? in
            guard s.generation == generation else { return nil }
            return s.entries[type]
        }) {
            return cached
        }
        let entry = MetaslotMechanisms.entry(type, framework, framework.policy)
        // Kept only if nothing was published while it was computed (it may mix two tables otherwise).
        guard framework.selectionGeneration == generation else { return entry }
        state.withLock { s in
            if s.generation != generation {
                s.generation = generation
                s.entries = [:]
            }
            s.entries[type] = .some(entry)
        }
        return entry
    }
}

/// Reads a CK_MECHANISM the caller passed: NULL is CKR_ARGUMENTS_BAD; a
/// parameter of the wrong size is CKR_MECHANISM_PARAM_INVALID.
package struct MechanismArgument {
    let type: CK_MECHANISM_TYPE
    let parameter: [UInt8]?

    package init(_ pointer: UnsafePointer<CK_MECHANISM>?) throws(CryptokiError) {
        // An uninitialized module says so before it reads the caller's mechanism.
        try Module.shared.requireInitialized()
        guard let m = pointer?.pointee else { throw .argumentsBad }
        type = m.mechanism
        if let p = m.pParameter, m.ulParameterLen > 0 {
            guard m.ulParameterLen < 1 << 20 else { throw .mechanismParamInvalid }
            parameter = Array(UnsafeRawBufferPointer(start: p, count: Int(m.ulParameterLen)))
        } else {
            guard m.ulParameterLen == 0 else { throw .argumentsBad }
            parameter = nil
        }
    }

    /// A CK_ULONG-laid-out structure parameter (CK_RSA_PKCS_PSS_PARAMS …).
    func structure<T>(_ type: T.Type) throws(CryptokiError) -> T? {
        guard let parameter else { return nil }
        guard parameter.count == MemoryLayout<T>.size else { throw .mechanismParamInvalid }
        return parameter.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
    }
}

/// Multi-part operations on framework streams (``CryptoStream``): begun at
/// C_*Init on the provider selection picks, fed by each Update, ended by Final.
extension FrameworkCall {
    func stream(_ request: StreamRequest, function: String) throws(CryptokiError) -> CryptoStream {
        do {
            return try framework.beginStream(request)
        } catch let error as CryptoError {
            if trace.isOn { trace.note("\(function) \(request.mechanism.name) failed: \(error)") }
            throw CryptokiError(error, step: .setup)
        } catch {
            throw .functionFailed
        }
    }

    func streamUpdate(_ stream: CryptoStream, _ part: [UInt8], function: String, step: OperationStep) throws(CryptokiError) -> [UInt8] {
        do {
            return try stream.update(part)
        } catch let error as CryptoError {
            if trace.isOn { trace.note("\(function) \(stream.request.mechanism.name) failed: \(error)") }
            throw CryptokiError(error, step: step)
        } catch {
            throw .functionFailed
        }
    }

    /// Finish without a trace line of its own (the caller writes one for the whole operation).
    func streamFinishReported(_ stream: CryptoStream, function: String, step: OperationStep) throws(CryptokiError) -> Reported<[UInt8]> {
        do {
            return try stream.finish()
        } catch let error as CryptoError {
            if trace.isOn { trace.note("\(function) \(stream.request.mechanism.name) failed: \(error)") }
            throw CryptokiError(error, step: step)
        } catch {
            throw .functionFailed
        }
    }

    /// The raw half of a hash-and-sign mechanism fed in parts, over the
    /// streamed `digest`: one trace line names the mechanism and both halves.
    func performPrehashed<Value>(
        _ raw: CryptoRequest, mechanism: Mechanism, digest: OperationReport, function: String, step: OperationStep,
        _ unpack: (consuming CryptoResult) throws -> Value
    ) throws(CryptokiError) -> Value {
        let reported: Reported<CryptoResult>
        do {
            reported = try framework.perform(raw)
        } catch let error as CryptoError {
            if trace.isOn { trace.note("\(function) \(mechanism.name) failed: \(error)") }
            throw CryptokiError(error, step: step)
        } catch {
            throw .functionFailed
        }
        trace.servedPrehashed(function, mechanism, raw: reported.report, digest: digest)
        do { return try unpack(reported.value) } catch { throw .deviceError }
    }

    func streamFinish(_ stream: CryptoStream, function: String, step: OperationStep) throws(CryptokiError) -> [UInt8] {
        do {
            let reported = try stream.finish()
            trace.served(function, reported.report)
            return reported.value
        } catch let error as CryptoError {
            if trace.isOn { trace.note("\(function) \(stream.request.mechanism.name) failed: \(error)") }
            throw CryptokiError(error, step: step)
        } catch {
            throw .functionFailed
        }
    }
}
