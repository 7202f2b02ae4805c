package import CPKCS11
import CryptoFramework

/// C_CreateObject, C_DestroyObject, C_GetAttributeValue, C_SetAttributeValue
/// and the C_FindObjects trio.
extension Module {
    package func createObject(_ session: CK_SESSION_HANDLE, _ template: Template) throws(CryptokiError) -> CK_OBJECT_HANDLE {
        guard let objectClass = try template.ulong(CKA_CLASS) else { throw .templateIncomplete }
        let builder = ObjectBuilder(objectClass: objectClass, keyType: try template.ulong(CKA_KEY_TYPE))
        let object = try builder.build(template)
        return try withState { (s) throws(CryptokiError) in try s.store(session, object) }
    }

    package func destroyObject(_ session: CK_SESSION_HANDLE, _ handle: CK_OBJECT_HANDLE) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            let session = try s.session(session)
            let object = try s.object(handle)
            if object.isToken && !session.readWrite { throw .sessionReadOnly }
            guard object.flag(CKA_DESTROYABLE) else { throw CryptokiError(CKR_ACTION_PROHIBITED) }
            s.destroy(handle)
        }
    }

    /// Fills every entry it can; an unknown type is CKR_ATTRIBUTE_TYPE_INVALID
    /// and a secret of a sensitive key CKR_ATTRIBUTE_SENSITIVE, both with the
    /// length set to CK_UNAVAILABLE_INFORMATION, and the rest still filled.
    package func getAttributes(_ session: CK_SESSION_HANDLE, _ handle: CK_OBJECT_HANDLE, _ template: UnsafeMutablePointer<CK_ATTRIBUTE>?, _ count: CK_ULONG) throws(CryptokiError) {
        guard count == 0 || template != nil, count < 4096 else { throw .argumentsBad }
        // Looked up under the lock (C_SetAttributeValue may change the object meanwhile), copied out after.
        let found = try withState { (s) throws(CryptokiError) in
            _ = try s.session(session)
            let object = try s.object(handle)
            return (0..<Int(count)).map { object.lookup(template![$0].type) }
        }
        var result: CK_RV = CKR_OK
        for i in 0..<Int(count) {
            let entry = template! + i
            switch found[i] {
            case .invalid:
                entry.pointee.ulValueLen = CK_UNAVAILABLE_INFORMATION
                result = CKR_ATTRIBUTE_TYPE_INVALID
            case .sensitive:
                entry.pointee.ulValueLen = CK_UNAVAILABLE_INFORMATION
                if result == CKR_OK || result == CKR_BUFFER_TOO_SMALL { result = CKR_ATTRIBUTE_SENSITIVE }
            case .value(let value):
                if let target = entry.pointee.pValue {
                    guard entry.pointee.ulValueLen >= CK_ULONG(value.count) else {
                        entry.pointee.ulValueLen = CK_UNAVAILABLE_INFORMATION
                        if result == CKR_OK { result = CKR_BUFFER_TOO_SMALL }
                        continue
                    }
                    value.withUnsafeBytes { if let base = $0.baseAddress { target.copyMemory(from: base, byteCount: $0.count) } }
                }
                entry.pointee.ulValueLen = CK_ULONG(value.count)
            }
        }
        guard result == CKR_OK else { throw CryptokiError(result) }
    }

    package func setAttributes(_ session: CK_SESSION_HANDLE, _ handle: CK_OBJECT_HANDLE, _ template: Template) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            let session = try s.session(session)
            let object = try s.object(handle)
            if object.isToken && !session.readWrite { throw .sessionReadOnly }
            let before = object.attributes
            try object.update(template)
            if object.isToken {
                do throws(CryptokiError) {
                    _ = try s.keystore.writeObject(object, masterKey: s.masterKey)
                } catch {
                    object.restore(before)
                    throw error
                }
            }
        }
    }

    package func findObjectsInit(_ session: CK_SESSION_HANDLE, _ template: Template) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            guard s.sessions[session] != nil else { throw .sessionInvalid }
            guard s.sessions[session]!.find == nil else { throw .operationActive }
            s.syncTokenObjects()  // objects another process added since
            let found = s.objects.filter { s.visible($0.value) && $0.value.matches(template) }.keys.sorted()
            s.sessions[session]!.find = found
        }
    }

    package func findObjects(_ session: CK_SESSION_HANDLE, _ out: UnsafeMutablePointer<CK_OBJECT_HANDLE>?, max: CK_ULONG, _ count: UnsafeMutablePointer<CK_ULONG>?) throws(CryptokiError) {
        guard let count, max == 0 || out != nil else { throw .argumentsBad }
        try withState { (s) throws(CryptokiError) in
            guard s.sessions[session] != nil else { throw .sessionInvalid }
            guard var remaining = s.sessions[session]!.find else { throw .operationNotInitialized }
            let taken = remaining.prefix(Int(Swift.min(max, CK_ULONG(Int.max))))
            for (i, handle) in taken.enumerated() { out![i] = handle }
            remaining.removeFirst(taken.count)
            s.sessions[session]!.find = remaining
            count.pointee = CK_ULONG(taken.count)
        }
    }

    package func findObjectsFinal(_ session: CK_SESSION_HANDLE) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            guard s.sessions[session] != nil else { throw .sessionInvalid }
            guard s.sessions[session]!.find != nil else { throw .operationNotInitialized }
            s.sessions[session]!.find = nil
        }
    }
}

extension ModuleState {
    /// Keeps a new object for `session`: a token object needs a read-write
    /// session (and a login when private) and is written to the keystore
    /// before its handle is given out; a session object belongs to `session`.
    mutating func store(_ session: CK_SESSION_HANDLE, _ object: ObjectRecord) throws(CryptokiError) -> CK_OBJECT_HANDLE {
        let info = try self.session(session)
        if !object.isToken { object.owner = session }
        if object.isPrivate && user != CKU_USER { throw .userNotLoggedIn }
        // Only the SO may make a key trusted (v2.40 §4.8, CKA_TRUSTED): the one that may wrap CKA_WRAP_WITH_TRUSTED keys.
        if object.flag(CKA_TRUSTED) && user != CKU_SO { throw .attributeReadOnly }
        if object.isToken {
            guard info.readWrite else { throw .sessionReadOnly }
            guard user == CKU_USER || !object.isPrivate else { throw .userNotLoggedIn }
            // Key material on disk is always sealed, so it needs the master key: a token
            // key with material and CKA_PRIVATE false is a template whose attributes
            // conflict under this token's policy (docs/pkcs11-module.md, "Deliberate policies").
            if !object.secrets.isEmpty && !object.isPrivate { throw .templateInconsistent }
            object.fileName = try keystore.writeObject(object, masterKey: masterKey)
        }
        return add(object)
    }
}
