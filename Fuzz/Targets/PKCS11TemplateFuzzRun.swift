internal import CPKCS11
import CryptoFramework
import CryptoFrameworkPKCS11
import PKCS11Module
import Foundation

/// The module started once per process on a keystore in a temporary
/// directory (a token initialized, the user logged in, one session kept open
/// to hold the login), and the calls one input makes.
final class PKCS11TemplateFuzzRun: @unchecked Sendable {  // `list` points at the module's constant function table; the module locks its own state
    static let soPIN = Array("fuzz-so-pin".utf8)
    static let userPIN = Array("fuzz-user-pin".utf8)
    /// CK_UNAVAILABLE_INFORMATION (`~0UL`, a macro Swift does not import).
    static let unavailableInformation = CK_ULONG.max

    static let shared: Result<PKCS11TemplateFuzzRun, StartFailure> = {
        do throws(StartFailure) {
            return .success(try PKCS11TemplateFuzzRun())
        } catch {
            return .failure(error)
        }
    }()

    struct StartFailure: Error { let what: String }

    private let list: UnsafeMutablePointer<CK_FUNCTION_LIST>
    private let slot: CK_SLOT_ID

    private init() throws(StartFailure) {
        var template = Array((NSTemporaryDirectory() + "/cf-fuzz-keystore-XXXXXX").utf8CString)
        guard let dir = mkdtemp(&template) else { throw StartFailure(what: "mkdtemp failed") }
        // The module reads its keystore's place from the environment at C_Initialize.
        setenv(FrameworkEnvironment.keystore.name, dir, 1)
        var table: UnsafeMutablePointer<CK_FUNCTION_LIST>?
        guard entryGetFunctionList(&table) == CK_RV(CKR_OK), let table else { throw StartFailure(what: "C_GetFunctionList") }
        list = table
        let rv = list.pointee.C_Initialize(nil)
        guard rv == CK_RV(CKR_OK) || rv == CK_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED) else { throw StartFailure(what: "C_Initialize: \(rv)") }
        var slots = [CK_SLOT_ID](repeating: 0, count: 4)
        var count = CK_ULONG(slots.count)
        guard list.pointee.C_GetSlotList(1, &slots, &count) == CK_RV(CKR_OK), count > 0 else { throw StartFailure(what: "C_GetSlotList") }
        slot = slots[0]
        try initializeToken()
    }

    private func check(_ what: String, _ rv: CK_RV) throws(StartFailure) {
        guard rv == CK_RV(CKR_OK) else { throw StartFailure(what: "\(what): CKR 0x\(String(rv, radix: 16))") }
    }

    /// A fresh token (its objects gone), the user PIN set, the user logged in. The session
    /// that logs in stays open: closing a slot's last session would log the user out.
    private func initializeToken() throws(StartFailure) {
        let f = list.pointee
        _ = f.C_CloseAllSessions(slot)
        var label = [UInt8](repeating: 0x20, count: 32)
        label.replaceSubrange(0..<8, with: Array("cf-fuzz ".utf8))
        var so = Self.soPIN, user = Self.userPIN
        try check("C_InitToken", f.C_InitToken(slot, &so, CK_ULONG(so.count), &label))
        let session = try openSession()
        try check("C_Login(SO)", f.C_Login(session, CK_USER_TYPE(CKU_SO), &so, CK_ULONG(so.count)))
        try check("C_InitPIN", f.C_InitPIN(session, &user, CK_ULONG(user.count)))
        try check("C_Logout", f.C_Logout(session))
        try check("C_Login(USER)", f.C_Login(session, CK_USER_TYPE(CKU_USER), &user, CK_ULONG(user.count)))
    }

    private func openSession() throws(StartFailure) -> CK_SESSION_HANDLE {
        var session: CK_SESSION_HANDLE = 0
        try check("C_OpenSession", list.pointee.C_OpenSession(slot, CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION), nil, nil, &session))
        return session
    }
}

extension PKCS11TemplateFuzzRun {
    /// What PKCS#11 v2.40 lets the template-taking functions answer (§5.7–5.14), apart
    /// from handles and sessions, which the target always passes valid.
    static let allowedAnswers: Set<CK_RV> = Set([
        CKR_OK, CKR_ARGUMENTS_BAD, CKR_ATTRIBUTE_READ_ONLY, CKR_ATTRIBUTE_SENSITIVE, CKR_ATTRIBUTE_TYPE_INVALID,
        CKR_ATTRIBUTE_VALUE_INVALID, CKR_BUFFER_TOO_SMALL, CKR_CURVE_NOT_SUPPORTED, CKR_DEVICE_ERROR, CKR_DEVICE_MEMORY,
        CKR_DOMAIN_PARAMS_INVALID, CKR_FUNCTION_FAILED, CKR_HOST_MEMORY, CKR_KEY_SIZE_RANGE, CKR_MECHANISM_INVALID,
        CKR_MECHANISM_PARAM_INVALID, CKR_SESSION_READ_ONLY, CKR_TEMPLATE_INCOMPLETE, CKR_TEMPLATE_INCONSISTENT,
        CKR_TOKEN_WRITE_PROTECTED, CKR_USER_NOT_LOGGED_IN, CKR_ACTION_PROHIBITED, CKR_KEY_TYPE_INCONSISTENT,
    ].map { CK_RV($0) })

    /// RSA key pairs of 1025–16384 bits are not generated (seconds to minutes
    /// each, a fuzzer timeout); the call is skipped and the rest of the input runs.
    static func isSlowKeyGeneration(_ mechanism: CK_MECHANISM_TYPE, _ template: ArraySlice<PKCS11TemplateFuzzInput.Attribute>) -> Bool {
        guard mechanism == CK_MECHANISM_TYPE(CKM_RSA_PKCS_KEY_PAIR_GEN) else { return false }
        return template.contains { a in
            guard a.type == CK_ATTRIBUTE_TYPE(CKA_MODULUS_BITS), a.value.count == MemoryLayout<CK_ULONG>.size else { return false }
            let bits = a.value.withUnsafeBytes { $0.loadUnaligned(as: CK_ULONG.self) }
            return (1025...16384).contains(bits)
        }
    }

    /// One input at a time: the module and its token are process-wide, and an input's
    /// cleanup (or a token re-initialization) must not meet another input's objects.
    private static let oneInputAtATime = Locked<Void>(())

    func run(_ input: PKCS11TemplateFuzzInput) -> FuzzVerdict {
        Self.oneInputAtATime.withLock { _ in runAlone(input) }
    }

    private func runAlone(_ input: PKCS11TemplateFuzzInput) -> FuzzVerdict {
        let f = list.pointee
        let session: CK_SESSION_HANDLE
        do throws(StartFailure) { session = try openSession() } catch { return .unexpected(error.what) }
        defer { _ = f.C_CloseSession(session) }
        func answer(_ name: String, _ rv: CK_RV) -> String? {
            Self.allowedAnswers.contains(rv) ? nil : "\(name) answered CKR 0x\(String(rv, radix: 16)), not a CKR_* PKCS#11 allows there"
        }

        // Objects the template is read against and written to besides what the input makes.
        var handles: [CK_OBJECT_HANDLE] = []
        for baseline in Self.baselineObjects {
            var h: CK_OBJECT_HANDLE = 0
            let rv = PKCS11TemplateFuzzInput.withTemplate(baseline) { f.C_CreateObject(session, $0, $1, &h) }
            guard rv == CK_RV(CKR_OK) else { return .unexpected("a baseline object was refused: CKR 0x\(String(rv, radix: 16))") }
            handles.append(h)
        }

        let attributes = input.attributes
        var made: CK_RV = CK_RV(CKR_OK)
        var mechanism = CK_MECHANISM(mechanism: input.mechanism, pParameter: nil, ulParameterLen: 0)
        switch input.call {
        case .createObject:
            var h: CK_OBJECT_HANDLE = 0
            made = PKCS11TemplateFuzzInput.withTemplate(attributes) { f.C_CreateObject(session, $0, $1, &h) }
            if let wrong = answer("C_CreateObject", made) { return .unexpected(wrong) }
            if made == CK_RV(CKR_OK) { handles.append(h) }
        case .generateKeyPair:
            let pub = attributes.prefix(input.publicCount), priv = attributes.dropFirst(input.publicCount)
            if Self.isSlowKeyGeneration(input.mechanism, pub) { break }
            var hPub: CK_OBJECT_HANDLE = 0, hPriv: CK_OBJECT_HANDLE = 0
            made = PKCS11TemplateFuzzInput.withTemplate(pub) { p, np in
                PKCS11TemplateFuzzInput.withTemplate(priv) { q, nq in
                    f.C_GenerateKeyPair(session, &mechanism, p, np, q, nq, &hPub, &hPriv)
                }
            }
            if let wrong = answer("C_GenerateKeyPair", made) { return .unexpected(wrong) }
            if made == CK_RV(CKR_OK) { handles += [hPub, hPriv] }
        case .generateKey:
            var h: CK_OBJECT_HANDLE = 0
            made = PKCS11TemplateFuzzInput.withTemplate(attributes) { f.C_GenerateKey(session, &mechanism, $0, $1, &h) }
            if let wrong = answer("C_GenerateKey", made) { return .unexpected(wrong) }
            if made == CK_RV(CKR_OK) { handles.append(h) }
        case .none:
            break
        }

        if let broken = find(session, attributes) { return .unexpected(broken) }
        for handle in handles {
            if let broken = getAndSet(session, handle, attributes) { return .unexpected(broken) }
        }
        if let broken = clearTokenObjects(session) { return .unexpected(broken) }
        return made == CK_RV(CKR_OK) && input.call != .none ? .accepted : .refused
    }

    /// C_FindObjectsInit with the template, one C_FindObjects, C_FindObjectsFinal.
    private func find(_ session: CK_SESSION_HANDLE, _ attributes: [PKCS11TemplateFuzzInput.Attribute]) -> String? {
        let f = list.pointee
        let rv = PKCS11TemplateFuzzInput.withTemplate(attributes) { f.C_FindObjectsInit(session, $0, $1) }
        guard Self.allowedAnswers.contains(rv) else { return "C_FindObjectsInit answered CKR 0x\(String(rv, radix: 16))" }
        guard rv == CK_RV(CKR_OK) else { return nil }
        var found = [CK_OBJECT_HANDLE](repeating: 0, count: 16)
        var count: CK_ULONG = 99
        let more = f.C_FindObjects(session, &found, CK_ULONG(found.count), &count)
        guard more == CK_RV(CKR_OK), count <= CK_ULONG(found.count) else { return "C_FindObjects: CKR 0x\(String(more, radix: 16)), \(count) found" }
        let end = f.C_FindObjectsFinal(session)
        return end == CK_RV(CKR_OK) ? nil : "C_FindObjectsFinal: CKR 0x\(String(end, radix: 16))"
    }

    /// The template read from the object (the module fills it in place) and written to it.
    private func getAndSet(_ session: CK_SESSION_HANDLE, _ handle: CK_OBJECT_HANDLE, _ attributes: [PKCS11TemplateFuzzInput.Attribute]) -> String? {
        let f = list.pointee
        let broken: String? = PKCS11TemplateFuzzInput.withTemplate(attributes, output: true) { template, count in
            let given = (0..<Int(count)).map { template![$0] }
            let rv = f.C_GetAttributeValue(session, handle, template, count)
            guard Self.allowedAnswers.contains(rv) else { return "C_GetAttributeValue answered CKR 0x\(String(rv, radix: 16))" }
            for i in 0..<Int(count) where given[i].pValue != nil {
                let length = template![i].ulValueLen
                if length != Self.unavailableInformation && length > given[i].ulValueLen {
                    return "C_GetAttributeValue wrote a length of \(length) into an entry of \(given[i].ulValueLen) bytes"
                }
            }
            return nil
        }
        if let broken { return broken }
        let rv = PKCS11TemplateFuzzInput.withTemplate(attributes) { f.C_SetAttributeValue(session, handle, $0, $1) }
        return Self.allowedAnswers.contains(rv) ? nil : "C_SetAttributeValue answered CKR 0x\(String(rv, radix: 16))"
    }

    /// Token objects an input made go again, so inputs do not depend on one
    /// another; one that refuses (CKA_DESTROYABLE false) takes the token with it.
    private func clearTokenObjects(_ session: CK_SESSION_HANDLE) -> String? {
        let f = list.pointee
        let isToken = [PKCS11TemplateFuzzInput.Attribute(type: CK_ATTRIBUTE_TYPE(CKA_TOKEN), value: [1], passing: .value)]
        var found = [CK_OBJECT_HANDLE](repeating: 0, count: 64)
        var count: CK_ULONG = 0
        let rv = PKCS11TemplateFuzzInput.withTemplate(isToken) { t, n -> CK_RV in
            guard f.C_FindObjectsInit(session, t, n) == CK_RV(CKR_OK) else { return CK_RV(CKR_GENERAL_ERROR) }
            let rv = f.C_FindObjects(session, &found, CK_ULONG(found.count), &count)
            _ = f.C_FindObjectsFinal(session)
            return rv
        }
        guard rv == CK_RV(CKR_OK) else { return "finding the token objects: CKR 0x\(String(rv, radix: 16))" }
        var stuck = count == CK_ULONG(found.count)
        for h in found.prefix(Int(count)) where f.C_DestroyObject(session, h) != CK_RV(CKR_OK) { stuck = true }
        guard stuck else { return tokenObjectLeft(session) }
        _ = f.C_CloseSession(session)
        do throws(StartFailure) { try initializeToken() } catch { return "re-initializing the token: \(error.what)" }
        return nil
    }

    /// Every object still there (an empty find template) must now be a session
    /// object: a token object left means a template with CKA_TOKEN = CK_TRUE did not find it.
    private func tokenObjectLeft(_ session: CK_SESSION_HANDLE) -> String? {
        let f = list.pointee
        var found = [CK_OBJECT_HANDLE](repeating: 0, count: 64)
        var count: CK_ULONG = 0
        guard f.C_FindObjectsInit(session, nil, 0) == CK_RV(CKR_OK) else { return "C_FindObjectsInit with an empty template failed" }
        _ = f.C_FindObjects(session, &found, CK_ULONG(found.count), &count)
        _ = f.C_FindObjectsFinal(session)
        for h in found.prefix(Int(count)) {
            var flag: UInt8 = 0
            // The attribute points at `flag` only inside this closure, where the pointer is valid.
            let rv = withUnsafeMutableBytes(of: &flag) { value in
                var attribute = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_TOKEN), pValue: value.baseAddress, ulValueLen: 1)
                return f.C_GetAttributeValue(session, h, &attribute, 1)
            }
            if rv == CK_RV(CKR_OK), flag != 0 {
                return "token object \(h) (CKA_TOKEN = \(flag)) not found by CKA_TOKEN = CK_TRUE"
            }
        }
        return nil
    }

    /// A session AES key that may be read, and a sensitive generic secret that may not.
    static let baselineObjects: [[PKCS11TemplateFuzzInput.Attribute]] = {
        typealias S = PKCS11TemplateSeeds
        return [
            [S.ulong(CKA_CLASS, CKO_SECRET_KEY), S.ulong(CKA_KEY_TYPE, CKK_AES), S.bytes(CKA_VALUE, Array(0..<16)),
             S.bytes(CKA_LABEL, Array("fuzz aes".utf8)), S.bytes(CKA_ENCRYPT, [1])],
            [S.ulong(CKA_CLASS, CKO_SECRET_KEY), S.ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
             S.bytes(CKA_VALUE, Array(repeating: 7, count: 20)), S.bytes(CKA_SENSITIVE, [1]), S.bytes(CKA_SIGN, [1])],
        ]
    }()
}
