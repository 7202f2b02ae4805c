internal import CPKCS11
import CryptoFramework
import Providers

#if canImport(Glibc)
import Glibc
#endif

/// Everything the module holds between C_Initialize and C_Finalize, behind
/// one lock. Handles are keys into these tables, never pointers: a wrong
/// handle finds nothing and answers CKR_*_HANDLE_INVALID.
struct ModuleState {
    let framework: CryptoFramework
    let keystore: Keystore
    let trace: Trace
    /// ``Module/forkCount`` when this state was made: another count means it is a parent's, inherited across fork().
    let forkCount: Int
    /// The slot's mechanism entries, cached per selection snapshot (the checks in every C_*Init).
    let mechanismEntries = MechanismEntryCache()
    var sessions: [CK_SESSION_HANDLE: Session] = [:]
    var nextSession: CK_SESSION_HANDLE = 1
    var objects: [CK_OBJECT_HANDLE: ObjectRecord] = [:]
    var nextObject: CK_OBJECT_HANDLE = 1
    /// Who is logged in (application-wide, every session shares it).
    var user: CK_USER_TYPE?
    /// The token's master key while someone is logged in.
    var masterKey: SecureBytes?
    /// A wrong user PIN was given since the last successful user login
    /// (CKF_USER_PIN_COUNT_LOW in C_GetTokenInfo; this process's count, the
    /// token has no lockout).
    var userPINFailed = false
    /// Keystore files that could not be read (left untouched; `cryptoadm list -v` names them).
    var unreadableFiles: Set<String> = []

    /// A session's view: private objects only while the user is logged in.
    func visible(_ object: ObjectRecord) -> Bool { !object.isPrivate || user == CKU_USER }

    func object(_ handle: CK_OBJECT_HANDLE, invalid: CryptokiError = .objectInvalid) throws(CryptokiError) -> ObjectRecord {
        guard let object = objects[handle], visible(object) else { throw invalid }
        return object
    }

    func session(_ handle: CK_SESSION_HANDLE) throws(CryptokiError) -> Session {
        guard let session = sessions[handle] else { throw .sessionInvalid }
        return session
    }

    mutating func add(_ object: ObjectRecord) -> CK_OBJECT_HANDLE {
        let handle = nextObject
        nextObject += 1
        objects[handle] = object
        return handle
    }

    /// Removes an object (and its keystore file).
    mutating func destroy(_ handle: CK_OBJECT_HANDLE) {
        if let name = objects[handle]?.fileName { keystore.deleteObject(name) }
        objects[handle] = nil
    }

    /// Loads the token objects the current login can read (public ones
    /// always, sealed ones with the master key), keeping the handles of those
    /// already loaded and dropping those whose file is gone.
    mutating func syncTokenObjects() {
        let names = Set(keystore.objectNames())
        let loaded = Dictionary(objects.compactMap { h, o in o.fileName.map { ($0, h) } }, uniquingKeysWith: { a, _ in a })
        for (name, handle) in loaded where !names.contains(name) { objects[handle] = nil }
        unreadableFiles = unreadableFiles.intersection(names)
        for name in names.sorted() where loaded[name] == nil {
            switch keystore.readObject(name, masterKey: masterKey) {
            case .loaded(let record):
                _ = add(record)
                unreadableFiles.remove(name)
            case .locked:
                break
            case .corrupt:
                if !unreadableFiles.contains(name) { trace.note("keystore file \(keystore.directory)/\(name) cannot be read; left untouched") }
                unreadableFiles.insert(name)
            }
        }
    }

    /// Logout: the master key is wiped, sealed token objects leave the tables,
    /// private session objects are destroyed (their handles become invalid),
    /// and operations that use a private key end (PKCS#11 v2.40 §5.6, C_Logout).
    mutating func lockToken() {
        user = nil
        masterKey = nil
        for (handle, object) in objects where object.isPrivate { objects[handle] = nil }
        for handle in sessions.keys {
            for end in sessions[handle]!.endAtLogout.values { end(&sessions[handle]!) }
            sessions[handle]!.endAtLogout = [:]
        }
    }

    func sessionState(_ session: Session) -> CK_STATE {
        switch (user, session.readWrite) {
        case (CKU_SO?, _): return CKS_RW_SO_FUNCTIONS
        case (CKU_USER?, true): return CKS_RW_USER_FUNCTIONS
        case (CKU_USER?, false): return CKS_RO_USER_FUNCTIONS
        case (_, true): return CKS_RW_PUBLIC_SESSION
        default: return CKS_RO_PUBLIC_SESSION
        }
    }
}

/// One open session and the operations active in it (one of each kind, as
/// PKCS#11 allows a find, a digest, a sign … to run side by side).
struct Session {
    let readWrite: Bool
    var find: [CK_OBJECT_HANDLE]?
    var sign: SignOperation?
    var verify: SignOperation?
    var digest: DigestOperation?
    var encrypt: CipherStream?
    var decrypt: CipherStream?
    var encryptRSA: RSACipherOperation?
    var decryptRSA: RSACipherOperation?
    /// How to end each active operation that uses a private key, by its field.
    var endAtLogout: [AnyKeyPath: (inout Session) -> Void] = [:]
}
