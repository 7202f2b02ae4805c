package import CPKCS11
import CryptoFramework

/// The one slot (id 0: strongSwan keeps slot ids in an `int`) and its token.
extension Module {
    static let slotID: CK_SLOT_ID = 0
    static let manufacturer = "CryptoFramework"

    package func info(_ out: inout CK_INFO) throws(CryptokiError) {
        try withState { _ throws(CryptokiError) in }
        out = CK_INFO()
        out.cryptokiVersion = CK_VERSION(major: 2, minor: 40)
        OutputBuffer.blankPadded(Self.manufacturer, into: &out.manufacturerID)
        OutputBuffer.blankPadded("CryptoFramework metaslot", into: &out.libraryDescription)
        out.libraryVersion = CK_VERSION(major: 1, minor: 0)
    }

    package func slotList(_ list: UnsafeMutablePointer<CK_SLOT_ID>?, _ count: UnsafeMutablePointer<CK_ULONG>?) throws(CryptokiError) {
        try withState { _ throws(CryptokiError) in }
        guard let count else { throw .argumentsBad }
        guard let list else {
            count.pointee = 1
            return
        }
        guard count.pointee >= 1 else {
            count.pointee = 1
            throw CryptokiError(CKR_BUFFER_TOO_SMALL)
        }
        list.pointee = Self.slotID
        count.pointee = 1
    }

    package func slotInfo(_ slot: CK_SLOT_ID, _ out: inout CK_SLOT_INFO) throws(CryptokiError) {
        try withState { _ throws(CryptokiError) in }
        guard slot == Self.slotID else { throw .slotInvalid }
        out = CK_SLOT_INFO()
        OutputBuffer.blankPadded("CryptoFramework metaslot", into: &out.slotDescription)
        OutputBuffer.blankPadded(Self.manufacturer, into: &out.manufacturerID)
        out.flags = CK_FLAGS(CKF_TOKEN_PRESENT)
        out.hardwareVersion = CK_VERSION(major: 1, minor: 0)
        out.firmwareVersion = CK_VERSION(major: 1, minor: 0)
    }

    package func tokenInfo(_ slot: CK_SLOT_ID, _ out: inout CK_TOKEN_INFO) throws(CryptokiError) {
        guard slot == Self.slotID else {
            try withState { _ throws(CryptokiError) in }
            throw .slotInvalid
        }
        let (record, sessions, readWrite, keystore, rng, pinFailed) = try withState { (s) throws(CryptokiError) in
            (try s.keystore.readToken(), s.sessions.count, s.sessions.values.filter(\.readWrite).count, s.keystore,
             MetaslotMechanisms.randomAllowed(s.framework), s.userPINFailed)
        }
        out = CK_TOKEN_INFO()
        let label = record.map { String(decoding: $0.label, as: UTF8.self) } ?? ""
        OutputBuffer.blankPadded(label, into: &out.label)
        OutputBuffer.blankPadded(Self.manufacturer, into: &out.manufacturerID)
        OutputBuffer.blankPadded("metaslot", into: &out.model)
        OutputBuffer.blankPadded(TokenSerial.of(keystore.directory), into: &out.serialNumber)
        var flags = rng ? CKF_RNG : 0
        if let record {
            flags |= CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED
            if record.userPINInitialized { flags |= CKF_USER_PIN_INITIALIZED }
            if pinFailed { flags |= CKF_USER_PIN_COUNT_LOW }
        }
        out.flags = CK_FLAGS(flags)
        out.ulMaxSessionCount = CK_ULONG(CK_EFFECTIVELY_INFINITE)
        out.ulSessionCount = CK_ULONG(sessions)
        out.ulMaxRwSessionCount = CK_ULONG(CK_EFFECTIVELY_INFINITE)
        out.ulRwSessionCount = CK_ULONG(readWrite)
        out.ulMaxPinLen = CK_ULONG(PINRules.maximumLength)
        out.ulMinPinLen = CK_ULONG(PINRules.minimumLength)
        out.ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION
        out.ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION
        out.ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION
        out.ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION
        out.hardwareVersion = CK_VERSION(major: 1, minor: 0)
        out.firmwareVersion = CK_VERSION(major: 1, minor: 0)
        OutputBuffer.blankPadded("", into: &out.utcTime)
    }

    package func mechanismList(_ slot: CK_SLOT_ID, _ list: UnsafeMutablePointer<CK_MECHANISM_TYPE>?, _ count: UnsafeMutablePointer<CK_ULONG>?) throws(CryptokiError) {
        let framework = try withState { s throws(CryptokiError) in s.framework }
        guard slot == Self.slotID else { throw .slotInvalid }
        guard let count else { throw .argumentsBad }
        let mechanisms = MetaslotMechanisms.current(framework)
        let capacity = count.pointee
        count.pointee = CK_ULONG(mechanisms.count)
        guard let list else { return }
        guard capacity >= CK_ULONG(mechanisms.count) else { throw CryptokiError(CKR_BUFFER_TOO_SMALL) }
        for (i, m) in mechanisms.enumerated() { list[i] = CK_MECHANISM_TYPE(m.type) }
    }

    package func mechanismInfo(_ slot: CK_SLOT_ID, _ type: CK_MECHANISM_TYPE, _ out: inout CK_MECHANISM_INFO) throws(CryptokiError) {
        let framework = try withState { s throws(CryptokiError) in s.framework }
        guard slot == Self.slotID else { throw .slotInvalid }
        try? framework.reloadPolicy()  // as C_GetMechanismList: the policy now
        guard let m = MetaslotMechanisms.entry(UInt(type), framework, framework.policy) else { throw .mechanismInvalid }
        out = CK_MECHANISM_INFO(ulMinKeySize: CK_ULONG(m.minKeySize), ulMaxKeySize: CK_ULONG(m.maxKeySize), flags: CK_FLAGS(m.flags))
    }
}

/// A serial number that tells keystores apart: a hash of the directory's path.
enum TokenSerial {
    static func of(_ path: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a 64 (offset basis, prime 0x100000001b3)
        for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

package enum PINRules {
    static let minimumLength = 4
    static let maximumLength = 255

    /// The PIN bytes, CKR_ARGUMENTS_BAD for a NULL pointer with a length, CKR_PIN_LEN_RANGE outside 4...255.
    /// Copied straight from the caller's memory into a wiping buffer.
    package static func read(_ pin: UnsafePointer<CK_UTF8CHAR>?, _ length: CK_ULONG, checkRange: Bool = true) throws(CryptokiError) -> SecureBytes {
        guard length < 4096 else { throw checkRange ? .pinLenRange : .pinIncorrect }
        guard let pin else {
            if length == 0 && !checkRange { return SecureBytes([]) }
            throw .argumentsBad
        }
        let bytes = SecureBytes(UnsafeBufferPointer(start: pin, count: Int(length)))
        if checkRange && !(minimumLength...maximumLength).contains(bytes.count) { throw .pinLenRange }
        return bytes
    }
}
