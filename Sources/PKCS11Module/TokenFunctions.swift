package import CPKCS11
import CryptoFramework

/// C_InitToken, C_InitPIN, C_SetPIN, C_Login, C_Logout. The token's master
/// key is sealed under each PIN (PBKDF2 → AES-256-GCM): a wrong PIN fails the
/// seal and is CKR_PIN_INCORRECT with nothing changed; changing a PIN re-seals
/// the master key, so objects are never re-encrypted. PBKDF2 runs outside the
/// module's lock.
extension Module {
    package func initToken(_ slot: CK_SLOT_ID, soPIN: SecureBytes, label: [UInt8]) throws(CryptokiError) {
        let keystore = try withState { (s) throws(CryptokiError) -> Keystore in
            guard slot == Self.slotID else { throw .slotInvalid }
            guard s.sessions.isEmpty else { throw CryptokiError(CKR_SESSION_EXISTS) }
            return s.keystore
        }
        var trimmed = label  // blank-padded (v2.40 §5.6)
        while let last = trimmed.last, last == 0x20 || last == 0 { trimmed.removeLast() }
        try keystore.exclusively { () throws(CryptokiError) in
            if let existing = try keystore.readToken() {
                _ = try Self.unseal(existing, pin: soPIN, so: true)
            }
            let masterKey = try KeystoreCipher.randomSecret(KeystoreCipher.keyLength)
            let salt = try KeystoreCipher.randomBytes(KeystoreCipher.saltLength)
            let iterations = KeystoreCipher.defaultIterations
            let sealed = try Self.seal(masterKey, pin: soPIN, salt: salt, iterations: iterations, so: true)
            try withState { (s) throws(CryptokiError) in
                guard s.sessions.isEmpty else { throw CryptokiError(CKR_SESSION_EXISTS) }
                // A new token: every token object goes (sealed ones could not be opened any more).
                for name in s.keystore.objectNames() { s.keystore.deleteObject(name) }
                for (handle, object) in s.objects where object.isToken { s.objects[handle] = nil }
                s.unreadableFiles = []
                try s.keystore.writeToken(TokenRecord(label: trimmed, iterations: iterations, soSalt: salt, soSealed: sealed))
                s.lockToken()
            }
        }
    }

    package func initPIN(_ session: CK_SESSION_HANDLE, pin: SecureBytes) throws(CryptokiError) {
        let (keystore, masterKey) = try withState { (s) throws(CryptokiError) in
            let session = try s.session(session)
            guard s.user == CKU_SO, let key = s.masterKey else { throw .userNotLoggedIn }
            guard session.readWrite else { throw .sessionReadOnly }
            return (s.keystore, key)
        }
        try keystore.exclusively { () throws(CryptokiError) in try reseal(keystore: keystore, masterKey: masterKey, pin: pin, so: false) }
    }

    package func setPIN(_ session: CK_SESSION_HANDLE, old: SecureBytes, new: SecureBytes) throws(CryptokiError) {
        let (keystore, asSO) = try withState { (s) throws(CryptokiError) in
            let session = try s.session(session)
            guard session.readWrite else { throw .sessionReadOnly }
            return (s.keystore, s.user == CKU_SO)
        }
        try keystore.exclusively { () throws(CryptokiError) in
            guard let record = try keystore.readToken() else { throw CryptokiError(CKR_USER_PIN_NOT_INITIALIZED) }
            guard asSO || record.userPINInitialized else { throw CryptokiError(CKR_USER_PIN_NOT_INITIALIZED) }
            let masterKey = try Self.unseal(record, pin: old, so: asSO)
            try reseal(keystore: keystore, masterKey: masterKey, pin: new, so: asSO)
        }
    }

    package func login(_ session: CK_SESSION_HANDLE, user: CK_USER_TYPE, pin: SecureBytes) throws(CryptokiError) {
        let keystore = try withState { (s) throws(CryptokiError) -> Keystore in
            _ = try s.session(session)
            switch user {
            case CKU_SO, CKU_USER: break
            case CKU_CONTEXT_SPECIFIC: throw .operationNotInitialized  // no key here asks for it
            default: throw CryptokiError(CKR_USER_TYPE_INVALID)
            }
            if let current = s.user {
                throw CryptokiError(current == user ? CKR_USER_ALREADY_LOGGED_IN : CKR_USER_ANOTHER_ALREADY_LOGGED_IN)
            }
            if user == CKU_SO && s.sessions.values.contains(where: { !$0.readWrite }) {
                throw CryptokiError(CKR_SESSION_READ_ONLY_EXISTS)
            }
            return s.keystore
        }
        guard let record = try keystore.readToken(), user == CKU_SO || record.userPINInitialized else {
            throw CryptokiError(CKR_USER_PIN_NOT_INITIALIZED)
        }
        let masterKey: SecureBytes
        do throws(CryptokiError) {
            masterKey = try Self.unseal(record, pin: pin, so: user == CKU_SO)
        } catch {
            if error == .pinIncorrect && user == CKU_USER { try withState { (s) throws(CryptokiError) in s.userPINFailed = true } }
            throw error
        }
        try withState { (s) throws(CryptokiError) in
            guard s.user == nil else { throw CryptokiError(s.user == user ? CKR_USER_ALREADY_LOGGED_IN : CKR_USER_ANOTHER_ALREADY_LOGGED_IN) }
            if user == CKU_USER { s.userPINFailed = false }
            s.user = user
            s.masterKey = masterKey
            s.syncTokenObjects()
        }
    }

    package func logout(_ session: CK_SESSION_HANDLE) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            _ = try s.session(session)
            guard s.user != nil else { throw .userNotLoggedIn }
            s.lockToken()
        }
    }

    // MARK: Sealing the master key

    /// Seals the master key under a new PIN (call with the keystore's lock held).
    private func reseal(keystore: Keystore, masterKey: SecureBytes, pin: SecureBytes, so: Bool) throws(CryptokiError) {
        guard var record = try keystore.readToken() else { throw .deviceError }
        let salt = try KeystoreCipher.randomBytes(KeystoreCipher.saltLength)
        let sealed = try Self.seal(masterKey, pin: pin, salt: salt, iterations: record.iterations, so: so)
        if so {
            record.soSalt = salt
            record.soSealed = sealed
        } else {
            record.userSalt = salt
            record.userSealed = sealed
        }
        try keystore.writeToken(record)
    }

    private static func seal(_ masterKey: SecureBytes, pin: SecureBytes, salt: [UInt8], iterations: Int, so: Bool) throws(CryptokiError) -> [UInt8] {
        let key = try KeystoreCipher.pinKey(pin: pin, salt: salt, iterations: iterations)
        guard let sealed = masterKey.withUnsafeBytes({ try? KeystoreCipher.seal($0, key: key, aad: TokenRecord.aad(so: so)) }) else {
            throw .functionFailed
        }
        return sealed
    }

    /// The master key, or CKR_PIN_INCORRECT when the PIN does not open its seal.
    static func unseal(_ record: TokenRecord, pin: SecureBytes, so: Bool) throws(CryptokiError) -> SecureBytes {
        guard let salt = so ? record.soSalt : record.userSalt, let sealed = so ? record.soSealed : record.userSealed else {
            throw CryptokiError(CKR_USER_PIN_NOT_INITIALIZED)
        }
        let key = try KeystoreCipher.pinKey(pin: pin, salt: salt, iterations: record.iterations)
        guard let masterKey = KeystoreCipher.open(sealed[...], key: key, aad: TokenRecord.aad(so: so)),
            masterKey.count == KeystoreCipher.keyLength
        else { throw .pinIncorrect }
        return masterKey
    }
}
