package import CPKCS11
import CryptoFramework

/// C_OpenSession … C_GetSessionInfo. Closing a session destroys its session
/// objects (strongSwan creates public keys per operation and never destroys them).
extension Module {
    package func openSession(_ slot: CK_SLOT_ID, flags: CK_FLAGS) throws(CryptokiError) -> CK_SESSION_HANDLE {
        try withState { (s) throws(CryptokiError) in
            guard slot == Self.slotID else { throw .slotInvalid }
            guard flags & CK_FLAGS(CKF_SERIAL_SESSION) != 0 else { throw CryptokiError(CKR_SESSION_PARALLEL_NOT_SUPPORTED) }
            let readWrite = flags & CK_FLAGS(CKF_RW_SESSION) != 0
            if !readWrite && s.user == CKU_SO { throw CryptokiError(CKR_SESSION_READ_WRITE_SO_EXISTS) }
            let handle = s.nextSession
            s.nextSession += 1
            s.sessions[handle] = Session(readWrite: readWrite)
            return handle
        }
    }

    package func closeSession(_ handle: CK_SESSION_HANDLE) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            guard s.sessions.removeValue(forKey: handle) != nil else { throw .sessionInvalid }
            for (h, object) in s.objects where object.owner == handle { s.objects[h] = nil }
            // Closing the last session logs the application out (v2.40 §5.6, C_CloseSession).
            if s.sessions.isEmpty && s.user != nil { s.lockToken() }
        }
    }

    package func closeAllSessions(_ slot: CK_SLOT_ID) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in
            guard slot == Self.slotID else { throw .slotInvalid }
            for (h, object) in s.objects where object.owner != nil { s.objects[h] = nil }
            s.sessions = [:]
            if s.user != nil { s.lockToken() }
        }
    }

    package func sessionInfo(_ handle: CK_SESSION_HANDLE, _ out: inout CK_SESSION_INFO) throws(CryptokiError) {
        out = try withState { (s) throws(CryptokiError) in
            let session = try s.session(handle)
            var flags = CK_FLAGS(CKF_SERIAL_SESSION)
            if session.readWrite { flags |= CK_FLAGS(CKF_RW_SESSION) }
            return CK_SESSION_INFO(slotID: Self.slotID, state: s.sessionState(session), flags: flags, ulDeviceError: 0)
        }
    }
}
