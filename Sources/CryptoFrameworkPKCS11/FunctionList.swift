public import CPKCS11
import PKCS11Module
#if canImport(Glibc)
import Glibc
#endif

// The module's C surface: one @_cdecl entry point per PKCS#11 function it
// serves, each of them thin (check the arguments, call one Swift function,
// hand back its CKR_*), and the CK_FUNCTION_LIST built from them. Functions
// the module does not serve answer CKR_FUNCTION_NOT_SUPPORTED from the table.

/// Runs one entry point's body: CKR_OK, or the CKR_* it threw.
@inline(__always)
private func entry(_ body: () throws(CryptokiError) -> Void) -> CK_RV {
    do {
        try body()
        return CK_RV(CKR_OK)
    } catch {
        return error.rv
    }
}

/// Input bytes: a NULL pointer with a nonzero length is CKR_ARGUMENTS_BAD.
private func input(_ pointer: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG) throws(CryptokiError) -> [UInt8] {
    guard length > 0 else { return [] }
    guard let pointer, length < 1 << 30 else { throw .argumentsBad }
    return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
}

/// Input bytes of a call that ends its operation on any error: a refused
/// pointer (CKR_ARGUMENTS_BAD) ends the session's operation of `kind` too.
private func input(
    _ pointer: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG, ending kind: Module.OperationKind, of session: CK_SESSION_HANDLE
) throws(CryptokiError) -> [UInt8] {
    do {
        return try input(pointer, length)
    } catch {
        module.endOperation(session, kind)
        throw error
    }
}

private func out<T>(_ pointer: UnsafeMutablePointer<T>?) throws(CryptokiError) -> UnsafeMutablePointer<T> {
    guard let pointer else { throw .argumentsBad }
    return pointer
}

private var module: Module { Module.shared }

// MARK: General

@_cdecl("C_Initialize")
func entryInitialize(_ args: UnsafeMutableRawPointer?) -> CK_RV {
    _ = stayLoaded
    return entry { () throws(CryptokiError) in try module.initialize(args) }
}

/// Marks this library RTLD_NODELETE on the first C_Initialize, so a host's
/// dlclose after C_Finalize (pkcs11-provider does this at exit) leaves it, and
/// the Swift runtime and libdispatch it brought, mapped. Their threads
/// (libdispatch's workers and manager, which cannot be joined) outlive
/// C_Finalize; unmapped under them, the next wake-up crashes the host (seen
/// with CRYPTOFRAMEWORK_KSTAT_DIR, whose trailing write is a timer on a global
/// queue). A dlopen of the same file afterwards gets this copy again, and
/// C_Initialize starts it afresh.
private let stayLoaded: Void = {
    var info = cpkcs11_dl_info()
    guard cpkcs11_dladdr(#dsohandle, &info) != 0, let name = info.dli_fname else { return }
    _ = dlopen(name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE)
}()

@_cdecl("C_Finalize")
func entryFinalize(_ reserved: UnsafeMutableRawPointer?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.finalize(reserved) }
}

@_cdecl("C_GetInfo")
func entryGetInfo(_ info: UnsafeMutablePointer<CK_INFO>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.info(&out(info).pointee) }
}

@_cdecl("C_GetFunctionList")
public func entryGetFunctionList(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CK_FUNCTION_LIST>?>?) -> CK_RV {
    guard let list else { return CK_RV(CKR_ARGUMENTS_BAD) }
    list.pointee = functionList
    return CK_RV(CKR_OK)
}

// MARK: Slot and token

@_cdecl("C_GetSlotList")
func entryGetSlotList(_ tokenPresent: UInt8, _ list: UnsafeMutablePointer<CK_SLOT_ID>?, _ count: UnsafeMutablePointer<CK_ULONG>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.slotList(list, count) }
}

@_cdecl("C_GetSlotInfo")
func entryGetSlotInfo(_ slot: CK_SLOT_ID, _ info: UnsafeMutablePointer<CK_SLOT_INFO>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.slotInfo(slot, &out(info).pointee) }
}

@_cdecl("C_GetTokenInfo")
func entryGetTokenInfo(_ slot: CK_SLOT_ID, _ info: UnsafeMutablePointer<CK_TOKEN_INFO>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.tokenInfo(slot, &out(info).pointee) }
}

@_cdecl("C_GetMechanismList")
func entryGetMechanismList(_ slot: CK_SLOT_ID, _ list: UnsafeMutablePointer<CK_MECHANISM_TYPE>?, _ count: UnsafeMutablePointer<CK_ULONG>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.mechanismList(slot, list, count) }
}

@_cdecl("C_GetMechanismInfo")
func entryGetMechanismInfo(_ slot: CK_SLOT_ID, _ type: CK_MECHANISM_TYPE, _ info: UnsafeMutablePointer<CK_MECHANISM_INFO>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.mechanismInfo(slot, type, &out(info).pointee) }
}

@_cdecl("C_InitToken")
func entryInitToken(_ slot: CK_SLOT_ID, _ pin: UnsafeMutablePointer<UInt8>?, _ pinLength: CK_ULONG, _ label: UnsafeMutablePointer<UInt8>?) -> CK_RV {
    entry { () throws(CryptokiError) in
        guard let label else { throw .argumentsBad }
        try module.initToken(slot, soPIN: PINRules.read(pin, pinLength), label: Array(UnsafeBufferPointer(start: label, count: 32)))
    }
}

@_cdecl("C_InitPIN")
func entryInitPIN(_ session: CK_SESSION_HANDLE, _ pin: UnsafeMutablePointer<UInt8>?, _ pinLength: CK_ULONG) -> CK_RV {
    entry { () throws(CryptokiError) in try module.initPIN(session, pin: PINRules.read(pin, pinLength)) }
}

@_cdecl("C_SetPIN")
func entrySetPIN(
    _ session: CK_SESSION_HANDLE, _ old: UnsafeMutablePointer<UInt8>?, _ oldLength: CK_ULONG,
    _ new: UnsafeMutablePointer<UInt8>?, _ newLength: CK_ULONG
) -> CK_RV {
    entry { () throws(CryptokiError) in
        try module.setPIN(session, old: PINRules.read(old, oldLength, checkRange: false), new: PINRules.read(new, newLength))
    }
}

// MARK: Sessions

@_cdecl("C_OpenSession")
func entryOpenSession(
    _ slot: CK_SLOT_ID, _ flags: CK_FLAGS, _ application: UnsafeMutableRawPointer?, _ notify: CK_NOTIFY?,
    _ session: UnsafeMutablePointer<CK_SESSION_HANDLE>?
) -> CK_RV {
    entry { () throws(CryptokiError) in
        let target = try out(session)
        target.pointee = try module.openSession(slot, flags: flags)
    }
}

@_cdecl("C_CloseSession")
func entryCloseSession(_ session: CK_SESSION_HANDLE) -> CK_RV {
    entry { () throws(CryptokiError) in try module.closeSession(session) }
}

@_cdecl("C_CloseAllSessions")
func entryCloseAllSessions(_ slot: CK_SLOT_ID) -> CK_RV {
    entry { () throws(CryptokiError) in try module.closeAllSessions(slot) }
}

@_cdecl("C_GetSessionInfo")
func entryGetSessionInfo(_ session: CK_SESSION_HANDLE, _ info: UnsafeMutablePointer<CK_SESSION_INFO>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.sessionInfo(session, &out(info).pointee) }
}

@_cdecl("C_Login")
func entryLogin(_ session: CK_SESSION_HANDLE, _ user: CK_USER_TYPE, _ pin: UnsafeMutablePointer<UInt8>?, _ pinLength: CK_ULONG) -> CK_RV {
    entry { () throws(CryptokiError) in try module.login(session, user: user, pin: PINRules.read(pin, pinLength, checkRange: false)) }
}

@_cdecl("C_Logout")
func entryLogout(_ session: CK_SESSION_HANDLE) -> CK_RV {
    entry { () throws(CryptokiError) in try module.logout(session) }
}

// MARK: Objects

@_cdecl("C_CreateObject")
func entryCreateObject(
    _ session: CK_SESSION_HANDLE, _ template: UnsafeMutablePointer<CK_ATTRIBUTE>?, _ count: CK_ULONG,
    _ object: UnsafeMutablePointer<CK_OBJECT_HANDLE>?
) -> CK_RV {
    entry { () throws(CryptokiError) in
        let target = try out(object)
        target.pointee = try module.createObject(session, Template(template, count: count))
    }
}

@_cdecl("C_DestroyObject")
func entryDestroyObject(_ session: CK_SESSION_HANDLE, _ object: CK_OBJECT_HANDLE) -> CK_RV {
    entry { () throws(CryptokiError) in try module.destroyObject(session, object) }
}

@_cdecl("C_GetAttributeValue")
func entryGetAttributeValue(
    _ session: CK_SESSION_HANDLE, _ object: CK_OBJECT_HANDLE, _ template: UnsafeMutablePointer<CK_ATTRIBUTE>?, _ count: CK_ULONG
) -> CK_RV {
    entry { () throws(CryptokiError) in try module.getAttributes(session, object, template, count) }
}

@_cdecl("C_SetAttributeValue")
func entrySetAttributeValue(
    _ session: CK_SESSION_HANDLE, _ object: CK_OBJECT_HANDLE, _ template: UnsafeMutablePointer<CK_ATTRIBUTE>?, _ count: CK_ULONG
) -> CK_RV {
    entry { () throws(CryptokiError) in try module.setAttributes(session, object, Template(template, count: count)) }
}

@_cdecl("C_CopyObject")
func entryCopyObject(
    _ session: CK_SESSION_HANDLE, _ object: CK_OBJECT_HANDLE, _ template: UnsafeMutablePointer<CK_ATTRIBUTE>?, _ count: CK_ULONG,
    _ newObject: UnsafeMutablePointer<CK_OBJECT_HANDLE>?
) -> CK_RV {
    entry { () throws(CryptokiError) in
        let target = try out(newObject)
        target.pointee = try module.copyObject(session, object, Template(template, count: count))
    }
}

@_cdecl("C_GetObjectSize")
func entryGetObjectSize(_ session: CK_SESSION_HANDLE, _ object: CK_OBJECT_HANDLE, _ size: UnsafeMutablePointer<CK_ULONG>?) -> CK_RV {
    entry { () throws(CryptokiError) in try out(size).pointee = try module.objectSize(session, object) }
}

@_cdecl("C_FindObjectsInit")
func entryFindObjectsInit(_ session: CK_SESSION_HANDLE, _ template: UnsafeMutablePointer<CK_ATTRIBUTE>?, _ count: CK_ULONG) -> CK_RV {
    entry { () throws(CryptokiError) in try module.findObjectsInit(session, Template(template, count: count)) }
}

@_cdecl("C_FindObjects")
func entryFindObjects(
    _ session: CK_SESSION_HANDLE, _ objects: UnsafeMutablePointer<CK_OBJECT_HANDLE>?, _ max: CK_ULONG,
    _ count: UnsafeMutablePointer<CK_ULONG>?
) -> CK_RV {
    entry { () throws(CryptokiError) in try module.findObjects(session, objects, max: max, count) }
}

@_cdecl("C_FindObjectsFinal")
func entryFindObjectsFinal(_ session: CK_SESSION_HANDLE) -> CK_RV {
    entry { () throws(CryptokiError) in try module.findObjectsFinal(session) }
}

// MARK: Encryption and decryption

@_cdecl("C_EncryptInit")
func entryEncryptInit(_ session: CK_SESSION_HANDLE, _ mechanism: UnsafeMutablePointer<CK_MECHANISM>?, _ key: CK_OBJECT_HANDLE) -> CK_RV {
    entry { () throws(CryptokiError) in try module.cipherInit(session, MechanismArgument(mechanism), key, encrypting: true) }
}

@_cdecl("C_Encrypt")
func entryEncrypt(
    _ session: CK_SESSION_HANDLE, _ data: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG,
    _ output: UnsafeMutablePointer<UInt8>?, _ outputLength: UnsafeMutablePointer<CK_ULONG>?
) -> CK_RV {
    entry { () throws(CryptokiError) in try module.cipher(session, .single(input(data, length, ending: .encrypt, of: session)), encrypting: true, output, outputLength) }
}

@_cdecl("C_EncryptUpdate")
func entryEncryptUpdate(
    _ session: CK_SESSION_HANDLE, _ data: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG,
    _ output: UnsafeMutablePointer<UInt8>?, _ outputLength: UnsafeMutablePointer<CK_ULONG>?
) -> CK_RV {
    entry { () throws(CryptokiError) in try module.cipher(session, .update(input(data, length, ending: .encrypt, of: session)), encrypting: true, output, outputLength) }
}

@_cdecl("C_EncryptFinal")
func entryEncryptFinal(_ session: CK_SESSION_HANDLE, _ output: UnsafeMutablePointer<UInt8>?, _ outputLength: UnsafeMutablePointer<CK_ULONG>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.cipher(session, .final, encrypting: true, output, outputLength) }
}

@_cdecl("C_DecryptInit")
func entryDecryptInit(_ session: CK_SESSION_HANDLE, _ mechanism: UnsafeMutablePointer<CK_MECHANISM>?, _ key: CK_OBJECT_HANDLE) -> CK_RV {
    entry { () throws(CryptokiError) in try module.cipherInit(session, MechanismArgument(mechanism), key, encrypting: false) }
}

@_cdecl("C_Decrypt")
func entryDecrypt(
    _ session: CK_SESSION_HANDLE, _ data: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG,
    _ output: UnsafeMutablePointer<UInt8>?, _ outputLength: UnsafeMutablePointer<CK_ULONG>?
) -> CK_RV {
    entry { () throws(CryptokiError) in try module.cipher(session, .single(input(data, length, ending: .decrypt, of: session)), encrypting: false, output, outputLength) }
}

@_cdecl("C_DecryptUpdate")
func entryDecryptUpdate(
    _ session: CK_SESSION_HANDLE, _ data: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG,
    _ output: UnsafeMutablePointer<UInt8>?, _ outputLength: UnsafeMutablePointer<CK_ULONG>?
) -> CK_RV {
    entry { () throws(CryptokiError) in try module.cipher(session, .update(input(data, length, ending: .decrypt, of: session)), encrypting: false, output, outputLength) }
}

@_cdecl("C_DecryptFinal")
func entryDecryptFinal(_ session: CK_SESSION_HANDLE, _ output: UnsafeMutablePointer<UInt8>?, _ outputLength: UnsafeMutablePointer<CK_ULONG>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.cipher(session, .final, encrypting: false, output, outputLength) }
}

// MARK: Key wrapping

@_cdecl("C_WrapKey")
func entryWrapKey(
    _ session: CK_SESSION_HANDLE, _ mechanism: UnsafeMutablePointer<CK_MECHANISM>?, _ wrappingKey: CK_OBJECT_HANDLE,
    _ key: CK_OBJECT_HANDLE, _ wrapped: UnsafeMutablePointer<UInt8>?, _ wrappedLength: UnsafeMutablePointer<CK_ULONG>?
) -> CK_RV {
    entry { () throws(CryptokiError) in
        try module.wrapKey(session, MechanismArgument(mechanism), wrapping: wrappingKey, key: key, wrapped, wrappedLength)
    }
}

@_cdecl("C_UnwrapKey")
func entryUnwrapKey(
    _ session: CK_SESSION_HANDLE, _ mechanism: UnsafeMutablePointer<CK_MECHANISM>?, _ unwrappingKey: CK_OBJECT_HANDLE,
    _ wrapped: UnsafeMutablePointer<UInt8>?, _ wrappedLength: CK_ULONG, _ template: UnsafeMutablePointer<CK_ATTRIBUTE>?,
    _ count: CK_ULONG, _ key: UnsafeMutablePointer<CK_OBJECT_HANDLE>?
) -> CK_RV {
    entry { () throws(CryptokiError) in
        let target = try out(key)
        target.pointee = try module.unwrapKey(
            session, MechanismArgument(mechanism), unwrapping: unwrappingKey, wrapped: input(wrapped, wrappedLength),
            Template(template, count: count))
    }
}

// MARK: Digests

@_cdecl("C_DigestInit")
func entryDigestInit(_ session: CK_SESSION_HANDLE, _ mechanism: UnsafeMutablePointer<CK_MECHANISM>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.digestInit(session, MechanismArgument(mechanism)) }
}

@_cdecl("C_Digest")
func entryDigest(
    _ session: CK_SESSION_HANDLE, _ data: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG,
    _ digest: UnsafeMutablePointer<UInt8>?, _ digestLength: UnsafeMutablePointer<CK_ULONG>?
) -> CK_RV {
    entry { () throws(CryptokiError) in try module.digest(session, data: input(data, length, ending: .digest, of: session), digest, digestLength) }
}

@_cdecl("C_DigestUpdate")
func entryDigestUpdate(_ session: CK_SESSION_HANDLE, _ data: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG) -> CK_RV {
    entry { () throws(CryptokiError) in try module.digestUpdate(session, input(data, length, ending: .digest, of: session)) }
}

@_cdecl("C_DigestKey")
func entryDigestKey(_ session: CK_SESSION_HANDLE, _ key: CK_OBJECT_HANDLE) -> CK_RV {
    entry { () throws(CryptokiError) in try module.digestKey(session, key) }
}

@_cdecl("C_DigestFinal")
func entryDigestFinal(_ session: CK_SESSION_HANDLE, _ digest: UnsafeMutablePointer<UInt8>?, _ digestLength: UnsafeMutablePointer<CK_ULONG>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.digest(session, data: nil, digest, digestLength) }
}

// MARK: Signatures

@_cdecl("C_SignInit")
func entrySignInit(_ session: CK_SESSION_HANDLE, _ mechanism: UnsafeMutablePointer<CK_MECHANISM>?, _ key: CK_OBJECT_HANDLE) -> CK_RV {
    entry { () throws(CryptokiError) in try module.signInit(session, MechanismArgument(mechanism), key, signing: true) }
}

@_cdecl("C_Sign")
func entrySign(
    _ session: CK_SESSION_HANDLE, _ data: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG,
    _ signature: UnsafeMutablePointer<UInt8>?, _ signatureLength: UnsafeMutablePointer<CK_ULONG>?
) -> CK_RV {
    entry { () throws(CryptokiError) in try module.sign(session, data: input(data, length, ending: .sign, of: session), signature, signatureLength) }
}

@_cdecl("C_SignUpdate")
func entrySignUpdate(_ session: CK_SESSION_HANDLE, _ data: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG) -> CK_RV {
    entry { () throws(CryptokiError) in try module.signUpdate(session, input(data, length, ending: .sign, of: session), signing: true) }
}

@_cdecl("C_SignFinal")
func entrySignFinal(_ session: CK_SESSION_HANDLE, _ signature: UnsafeMutablePointer<UInt8>?, _ signatureLength: UnsafeMutablePointer<CK_ULONG>?) -> CK_RV {
    entry { () throws(CryptokiError) in try module.sign(session, data: nil, signature, signatureLength) }
}

@_cdecl("C_VerifyInit")
func entryVerifyInit(_ session: CK_SESSION_HANDLE, _ mechanism: UnsafeMutablePointer<CK_MECHANISM>?, _ key: CK_OBJECT_HANDLE) -> CK_RV {
    entry { () throws(CryptokiError) in try module.signInit(session, MechanismArgument(mechanism), key, signing: false) }
}

@_cdecl("C_Verify")
func entryVerify(
    _ session: CK_SESSION_HANDLE, _ data: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG,
    _ signature: UnsafeMutablePointer<UInt8>?, _ signatureLength: CK_ULONG
) -> CK_RV {
    entry { () throws(CryptokiError) in try module.verify(
        session, data: input(data, length, ending: .verify, of: session), signature: input(signature, signatureLength, ending: .verify, of: session)) }
}

@_cdecl("C_VerifyUpdate")
func entryVerifyUpdate(_ session: CK_SESSION_HANDLE, _ data: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG) -> CK_RV {
    entry { () throws(CryptokiError) in try module.signUpdate(session, input(data, length, ending: .verify, of: session), signing: false) }
}

@_cdecl("C_VerifyFinal")
func entryVerifyFinal(_ session: CK_SESSION_HANDLE, _ signature: UnsafeMutablePointer<UInt8>?, _ signatureLength: CK_ULONG) -> CK_RV {
    entry { () throws(CryptokiError) in try module.verify(session, data: nil, signature: input(signature, signatureLength, ending: .verify, of: session)) }
}

// MARK: Keys and random

@_cdecl("C_GenerateKey")
func entryGenerateKey(
    _ session: CK_SESSION_HANDLE, _ mechanism: UnsafeMutablePointer<CK_MECHANISM>?, _ template: UnsafeMutablePointer<CK_ATTRIBUTE>?,
    _ count: CK_ULONG, _ key: UnsafeMutablePointer<CK_OBJECT_HANDLE>?
) -> CK_RV {
    entry { () throws(CryptokiError) in
        let target = try out(key)
        target.pointee = try module.generateKey(session, MechanismArgument(mechanism), Template(template, count: count))
    }
}

@_cdecl("C_GenerateKeyPair")
func entryGenerateKeyPair(
    _ session: CK_SESSION_HANDLE, _ mechanism: UnsafeMutablePointer<CK_MECHANISM>?,
    _ publicTemplate: UnsafeMutablePointer<CK_ATTRIBUTE>?, _ publicCount: CK_ULONG,
    _ privateTemplate: UnsafeMutablePointer<CK_ATTRIBUTE>?, _ privateCount: CK_ULONG,
    _ publicKey: UnsafeMutablePointer<CK_OBJECT_HANDLE>?, _ privateKey: UnsafeMutablePointer<CK_OBJECT_HANDLE>?
) -> CK_RV {
    entry { () throws(CryptokiError) in
        let (publicTarget, privateTarget) = (try out(publicKey), try out(privateKey))
        (publicTarget.pointee, privateTarget.pointee) = try module.generateKeyPair(
            session, MechanismArgument(mechanism),
            publicTemplate: Template(publicTemplate, count: publicCount), privateTemplate: Template(privateTemplate, count: privateCount))
    }
}

@_cdecl("C_DeriveKey")
func entryDeriveKey(
    _ session: CK_SESSION_HANDLE, _ mechanism: UnsafeMutablePointer<CK_MECHANISM>?, _ base: CK_OBJECT_HANDLE,
    _ template: UnsafeMutablePointer<CK_ATTRIBUTE>?, _ count: CK_ULONG, _ key: UnsafeMutablePointer<CK_OBJECT_HANDLE>?
) -> CK_RV {
    entry { () throws(CryptokiError) in
        let target = try out(key)
        target.pointee = try module.deriveKey(session, MechanismArgument(mechanism), base: base, Template(template, count: count))
    }
}

@_cdecl("C_SeedRandom")
func entrySeedRandom(_ session: CK_SESSION_HANDLE, _ seed: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG) -> CK_RV {
    entry { () throws(CryptokiError) in
        _ = try input(seed, length)
        try module.seedRandom(session)
    }
}

@_cdecl("C_GenerateRandom")
func entryGenerateRandom(_ session: CK_SESSION_HANDLE, _ output: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG) -> CK_RV {
    entry { () throws(CryptokiError) in try module.generateRandom(session, output, length) }
}

@_cdecl("C_WaitForSlotEvent")
func entryWaitForSlotEvent(_ flags: CK_FLAGS, _ slot: UnsafeMutablePointer<CK_SLOT_ID>?, _ reserved: UnsafeMutableRawPointer?) -> CK_RV {
    entry { () throws(CryptokiError) in
        try module.requireInitialized()
        // The one slot's token is never removed, so there is never an event: asked not to
        // block, that is CKR_NO_EVENT; a blocking wait is not supported (it would never
        // return), and strongSwan spins on any other answer to it.
        guard flags & CK_FLAGS(CKF_DONT_BLOCK) != 0 else { throw CryptokiError(CKR_FUNCTION_NOT_SUPPORTED) }
        _ = try out(slot)
        throw CryptokiError(CKR_NO_EVENT)
    }
}

// MARK: The table

private let notSupported = CK_RV(CKR_FUNCTION_NOT_SUPPORTED)

/// The CK_FUNCTION_LIST handed out by C_GetFunctionList: built once, never written again.
nonisolated(unsafe) private let functionList: UnsafeMutablePointer<CK_FUNCTION_LIST> = {
    var list = CK_FUNCTION_LIST()
    list.version = CK_VERSION(major: 2, minor: 40)
    list.C_Initialize = entryInitialize
    list.C_Finalize = entryFinalize
    list.C_GetInfo = entryGetInfo
    list.C_GetFunctionList = entryGetFunctionList
    list.C_GetSlotList = entryGetSlotList
    list.C_GetSlotInfo = entryGetSlotInfo
    list.C_GetTokenInfo = entryGetTokenInfo
    list.C_GetMechanismList = entryGetMechanismList
    list.C_GetMechanismInfo = entryGetMechanismInfo
    list.C_InitToken = entryInitToken
    list.C_InitPIN = entryInitPIN
    list.C_SetPIN = entrySetPIN
    list.C_OpenSession = entryOpenSession
    list.C_CloseSession = entryCloseSession
    list.C_CloseAllSessions = entryCloseAllSessions
    list.C_GetSessionInfo = entryGetSessionInfo
    list.C_GetOperationState = { _, _, _ in notSupported }
    list.C_SetOperationState = { _, _, _, _, _ in notSupported }
    list.C_Login = entryLogin
    list.C_Logout = entryLogout
    list.C_CreateObject = entryCreateObject
    list.C_CopyObject = entryCopyObject
    list.C_DestroyObject = entryDestroyObject
    list.C_GetObjectSize = entryGetObjectSize
    list.C_GetAttributeValue = entryGetAttributeValue
    list.C_SetAttributeValue = entrySetAttributeValue
    list.C_FindObjectsInit = entryFindObjectsInit
    list.C_FindObjects = entryFindObjects
    list.C_FindObjectsFinal = entryFindObjectsFinal
    list.C_EncryptInit = entryEncryptInit
    list.C_Encrypt = entryEncrypt
    list.C_EncryptUpdate = entryEncryptUpdate
    list.C_EncryptFinal = entryEncryptFinal
    list.C_DecryptInit = entryDecryptInit
    list.C_Decrypt = entryDecrypt
    list.C_DecryptUpdate = entryDecryptUpdate
    list.C_DecryptFinal = entryDecryptFinal
    list.C_DigestInit = entryDigestInit
    list.C_Digest = entryDigest
    list.C_DigestUpdate = entryDigestUpdate
    list.C_DigestKey = entryDigestKey
    list.C_DigestFinal = entryDigestFinal
    list.C_SignInit = entrySignInit
    list.C_Sign = entrySign
    list.C_SignUpdate = entrySignUpdate
    list.C_SignFinal = entrySignFinal
    list.C_SignRecoverInit = { _, _, _ in notSupported }
    list.C_SignRecover = { _, _, _, _, _ in notSupported }
    list.C_VerifyInit = entryVerifyInit
    list.C_Verify = entryVerify
    list.C_VerifyUpdate = entryVerifyUpdate
    list.C_VerifyFinal = entryVerifyFinal
    list.C_VerifyRecoverInit = { _, _, _ in notSupported }
    list.C_VerifyRecover = { _, _, _, _, _ in notSupported }
    list.C_DigestEncryptUpdate = { _, _, _, _, _ in notSupported }
    list.C_DecryptDigestUpdate = { _, _, _, _, _ in notSupported }
    list.C_SignEncryptUpdate = { _, _, _, _, _ in notSupported }
    list.C_DecryptVerifyUpdate = { _, _, _, _, _ in notSupported }
    list.C_GenerateKey = entryGenerateKey
    list.C_GenerateKeyPair = entryGenerateKeyPair
    list.C_WrapKey = entryWrapKey
    list.C_UnwrapKey = entryUnwrapKey
    list.C_DeriveKey = entryDeriveKey
    list.C_SeedRandom = entrySeedRandom
    list.C_GenerateRandom = entryGenerateRandom
    // No function runs in parallel with the caller (v2.40 §5.17).
    list.C_GetFunctionStatus = { _ in CK_RV(CKR_FUNCTION_NOT_PARALLEL) }
    list.C_CancelFunction = { _ in CK_RV(CKR_FUNCTION_NOT_PARALLEL) }
    list.C_WaitForSlotEvent = entryWaitForSlotEvent
    let pointer = UnsafeMutablePointer<CK_FUNCTION_LIST>.allocate(capacity: 1)
    pointer.initialize(to: list)
    return pointer
}()
