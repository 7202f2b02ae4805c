internal import CPKCS11
import CryptoFramework
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One token of a loaded module, shared by every provider in the process that
/// names it: its slot, its login state and a pool of sessions safe for
/// concurrent callers.
///
/// PKCS#11 logs in per application and token, and logs out when the
/// application's last session on the token closes; session objects die with
/// the session that created them. So an *anchor* session stays open for the
/// token's life: it holds the login, and our imported keys are created in it
/// (their handles are valid in every session of this process). Operations run
/// in pooled sessions, one caller per session at a time (a session has one
/// active operation). A session that returned an error is closed, not reused.
final class PKCS11Token: @unchecked Sendable {  // `pin` is set before the token is published; the anchor session is used under `anchorLock`, the pool under its lock
    let library: PKCS11Library
    let slot: CK_SLOT_ID
    let label: String
    let tokenFlags: CK_FLAGS
    let isLoggedIn: Bool
    private let anchor: CK_SESSION_HANDLE
    private let anchorLock = Locked<Void>(())
    private let idle = Locked<[CK_SESSION_HANDLE]>([])
    /// Idle sessions kept at most; more concurrent callers open (and close) extra ones.
    private let maxIdle = 64

    private static let open = Locked<[String: PKCS11Token]>([:])
    private static let opening = Locked<Void>(())

    private init(library: PKCS11Library, slot: CK_SLOT_ID, label: String, flags: CK_FLAGS, anchor: CK_SESSION_HANDLE, loggedIn: Bool) {
        self.library = library
        self.slot = slot
        self.label = label
        self.tokenFlags = flags
        self.anchor = anchor
        self.isLoggedIn = loggedIn
    }

    /// The token of `library` that `policy` names (`slot=`, `token=`, else the
    /// first slot holding an initialized token), logged in with the PIN from
    /// `policy.pinFile` when it has one. The PIN is checked even when another
    /// provider of this process already logged the token in.
    static func open(_ library: PKCS11Library, policy: ProviderPolicy) throws -> PKCS11Token {
        let slot = try chooseSlot(library, policy: policy)
        let pin = try policy.pinFile.map(readPIN)
        let key = "\(library.path)#\(slot)"
        return try opening.withLock { _ in
            if let token = open.withLock({ $0[key] }) {
                if let pin, token.pin != pin {
                    throw CryptoError(.argumentsBad,
                        "C_Login on \(library.path) returned CKR_PIN_INCORRECT (0xA0): the PIN in \(policy.pinFile!) is wrong for token '\(token.label)'")
                }
                return token
            }
            let info = try library.tokenInfo(slot)
            var session: CK_SESSION_HANDLE = 0
            try library.check(
                library.functions.pointee.C_OpenSession(slot, CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION), nil, nil, &session),
                "C_OpenSession")
            var loggedIn = false
            if let pin {
                let rv = pin.withUnsafeBytes { raw in
                    library.functions.pointee.C_Login(
                        session, CK_USER_TYPE(CKU_USER),
                        UnsafeMutablePointer(mutating: raw.bindMemory(to: CK_UTF8CHAR.self).baseAddress), CK_ULONG(raw.count))
                }
                guard rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN else {
                    _ = library.functions.pointee.C_CloseSession(session)
                    throw PKCS11Failure.error(rv, "C_Login", library.path)
                }
                loggedIn = true
            }
            let token = PKCS11Token(
                library: library, slot: slot, label: PKCS11Text.padded(info.label), flags: info.flags,
                anchor: session, loggedIn: loggedIn)
            token.pin = pin
            open.withLock { $0[key] = token }
            return token
        }
    }

    /// Kept to compare (in constant time) with a later provider's PIN for the
    /// same token; in a wiping buffer, never logged or shown.
    private var pin: SecureBytes?

    private static func chooseSlot(_ library: PKCS11Library, policy: ProviderPolicy) throws -> CK_SLOT_ID {
        let slots = try library.slotList()
        if let wanted = policy.slot {
            guard let slot = slots.first(where: { $0 == CK_SLOT_ID(wanted) }) else {
                throw CryptoError(.argumentsBad, "\(library.path) has no slot \(wanted) (slots: \(slots.map(String.init).joined(separator: ", ")))")
            }
            return slot
        }
        var labels: [String] = []
        for slot in slots {
            guard try library.slotInfo(slot).flags & CK_FLAGS(CKF_TOKEN_PRESENT) != 0 else { continue }
            let info = try library.tokenInfo(slot)
            guard info.flags & CK_FLAGS(CKF_TOKEN_INITIALIZED) != 0 else { continue }
            let label = PKCS11Text.padded(info.label)
            labels.append(label)
            if policy.tokenLabel == nil || policy.tokenLabel == label { return slot }
        }
        if let wanted = policy.tokenLabel {
            throw CryptoError(.argumentsBad, "\(library.path) has no token labelled '\(wanted)' (tokens: \(labels.map { "'\($0)'" }.joined(separator: ", ")))")
        }
        throw CryptoError(.argumentsBad, "\(library.path) has no slot with an initialized token")
    }

    /// The PIN: the first line of the file, without its line end. The file
    /// must not be readable by others, as Solaris' and ssh's key files.
    static func readPIN(_ path: String) throws -> SecureBytes {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw CryptoError(.fileError, "cannot read pinfile \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & 0o007 == 0 else {
            throw CryptoError(.fileError, "pinfile \(path) is accessible to others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod o-rwx it")
        }
        guard let handle = fopen(path, "r") else {
            throw CryptoError(.fileError, "cannot read pinfile \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(handle) }
        var buffer = [CChar](repeating: 0, count: 512)
        defer { for i in buffer.indices { buffer[i] = 0 } }
        guard fgets(&buffer, Int32(buffer.count), handle) != nil else {
            throw CryptoError(.fileError, "pinfile \(path) is empty")
        }
        var length = buffer.firstIndex(of: 0) ?? buffer.count
        while length > 0, buffer[length - 1] == 0x0A || buffer[length - 1] == 0x0D { length -= 1 }
        guard length > 0 else { throw CryptoError(.fileError, "pinfile \(path) is empty") }
        return buffer.withUnsafeBytes { raw in SecureBytes(UnsafeRawBufferPointer(rebasing: raw[0..<length])) }
    }

    // MARK: Sessions

    /// Runs `body` with a session no other caller is using. A session whose
    /// call failed is closed rather than returned to the pool, so no half-done
    /// operation is left behind.
    func withSession<R>(_ body: (CK_SESSION_HANDLE) throws -> R) throws -> R {
        let session = try checkOutSession()
        do {
            let result = try body(session)
            checkIn(session)
            return result
        } catch {
            discard(session)
            throw error
        }
    }

    /// A session no other caller is using, for a caller that holds it across
    /// calls (a stream): it ends with ``checkIn(_:)`` when its operation is
    /// over, or ``discard(_:)`` when one may be left half done.
    func checkOutSession() throws -> CK_SESSION_HANDLE {
        try idle.withLock { $0.popLast() } ?? openSession()
    }

    /// Returns a session with no operation active to the pool (closed when the pool is full).
    func checkIn(_ session: CK_SESSION_HANDLE) {
        let kept = idle.withLock { pool -> Bool in
            guard pool.count < maxIdle else { return false }
            pool.append(session)
            return true
        }
        if !kept { discard(session) }
    }

    /// Closes a session, ending whatever operation it had active.
    func discard(_ session: CK_SESSION_HANDLE) {
        _ = library.functions.pointee.C_CloseSession(session)
    }

    private func openSession() throws -> CK_SESSION_HANDLE {
        var session: CK_SESSION_HANDLE = 0
        try library.check(
            library.functions.pointee.C_OpenSession(slot, CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION), nil, nil, &session),
            "C_OpenSession")
        return session
    }

    /// Creates an object that outlives this call (an imported key): in the
    /// anchor session, so it lives as long as the token is open.
    func createLastingObject(_ template: PKCS11AttributeTemplate) throws -> CK_OBJECT_HANDLE {
        try anchorLock.withLock { _ in
            var object: CK_OBJECT_HANDLE = 0
            try template.withAttributes { attributes, count in
                try library.check(library.functions.pointee.C_CreateObject(anchor, attributes, count, &object), "C_CreateObject")
            }
            return object
        }
    }

    func destroyLastingObject(_ object: CK_OBJECT_HANDLE) {
        anchorLock.withLock { _ in _ = library.functions.pointee.C_DestroyObject(anchor, object) }
    }

    /// Reads attribute `type` of `object` (two-call pattern: length, then value).
    func attribute(_ type: CK_ATTRIBUTE_TYPE, of object: CK_OBJECT_HANDLE, session: CK_SESSION_HANDLE) throws -> [UInt8] {
        var attribute = CK_ATTRIBUTE(type: type, pValue: nil, ulValueLen: 0)
        try library.check(library.functions.pointee.C_GetAttributeValue(session, object, &attribute, 1), "C_GetAttributeValue")
        // CK_UNAVAILABLE_INFORMATION is (CK_ULONG)-1.
        guard attribute.ulValueLen != CK_ULONG.max else {
            throw CryptoError(.keyInvalid, "\(library.path) will not reveal attribute 0x\(String(type, radix: 16)) (sensitive or unextractable)")
        }
        // Bounded: a broken module's length must not trap the conversion or exhaust memory.
        guard attribute.ulValueLen <= 1 << 20 else {
            throw CryptoError(.deviceError, "\(library.path) answered an implausible length \(attribute.ulValueLen) for attribute 0x\(String(type, radix: 16))")
        }
        var value = [UInt8](repeating: 0, count: Int(attribute.ulValueLen))
        try value.withUnsafeMutableBytes { raw in
            attribute.pValue = raw.baseAddress
            try library.check(library.functions.pointee.C_GetAttributeValue(session, object, &attribute, 1), "C_GetAttributeValue")
        }
        return Array(value.prefix(Int(clamping: attribute.ulValueLen)))
    }
}

extension PKCS11Token {
    /// Reads a secret attribute (a DH private value, a derived secret) straight
    /// into ``SecureBytes``, left-padded with zeros to `paddedTo` bytes when
    /// given, so no unwiped copy of it is left in the heap.
    func secretAttribute(
        _ type: CK_ATTRIBUTE_TYPE, of object: CK_OBJECT_HANDLE, session: CK_SESSION_HANDLE, paddedTo: Int? = nil
    ) throws -> SecureBytes {
        var attribute = CK_ATTRIBUTE(type: type, pValue: nil, ulValueLen: 0)
        try library.check(library.functions.pointee.C_GetAttributeValue(session, object, &attribute, 1), "C_GetAttributeValue")
        let length = attribute.ulValueLen
        guard length != CK_ULONG.max else {
            throw CryptoError(.keyInvalid, "\(library.path) will not reveal attribute 0x\(String(type, radix: 16)) (sensitive or unextractable)")
        }
        guard length <= CK_ULONG(paddedTo ?? (1 << 20)) else {
            throw CryptoError(.deviceError, "\(library.path) answered an implausible length \(length) for attribute 0x\(String(type, radix: 16))")
        }
        let capacity = paddedTo ?? Int(length)
        return try SecureBytes(count: capacity) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            guard let base = raw.baseAddress, length > 0 else { return }
            let start = base + (capacity - Int(length))
            attribute.pValue = start
            try library.check(library.functions.pointee.C_GetAttributeValue(session, object, &attribute, 1), "C_GetAttributeValue")
            let written = Int(min(attribute.ulValueLen, length))
            if written < Int(length) {  // shorter than announced: right-align, zero the gap
                memmove(base + (capacity - written), start, written)
                explicit_bzero(start, Int(length) - written)
            }
        }
    }
}

/// An imported key object, created once per key and token and cached behind
/// the key (`key.handles`); destroyed when the key value goes away.
final class PKCS11KeyObject: Sendable {
    let handle: CK_OBJECT_HANDLE
    let token: PKCS11Token

    init(handle: CK_OBJECT_HANDLE, token: PKCS11Token) {
        self.handle = handle
        self.token = token
    }

    deinit { token.destroyLastingObject(handle) }
}
