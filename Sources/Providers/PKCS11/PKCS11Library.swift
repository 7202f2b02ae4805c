internal import CPKCS11
import CryptoFramework
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One PKCS#11 module (a shared library) loaded into this process: dlopen,
/// C_GetFunctionList, C_Initialize with CKF_OS_LOCKING_OK (the module locks
/// with the OS's primitives, so any thread may call it). A module is loaded
/// once per process and stays loaded: PKCS#11 allows one C_Initialize per
/// application, and every provider for the module shares it.
final class PKCS11Library: @unchecked Sendable {  // immutable after load; the module serializes itself (CKF_OS_LOCKING_OK)
    let path: String
    let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
    let info: LibraryInfo

    struct LibraryInfo: Sendable {
        let cryptokiVersion: (major: Int, minor: Int)
        let manufacturer: String
        let description: String
        let libraryVersion: (major: Int, minor: Int)
        /// The function list's own version (what Solaris prints as "PKCS#11 Version").
        let functionListVersion: (major: Int, minor: Int)
    }

    private static let loaded = Locked<[String: PKCS11Library]>([:])
    /// Serializes loading so two threads never C_Initialize one module twice.
    private static let loading = Locked<Void>(())

    private init(path: String, functions: UnsafeMutablePointer<CK_FUNCTION_LIST>, info: LibraryInfo) {
        self.path = path
        self.functions = functions
        self.info = info
    }

    /// The module at `path`, loaded and initialized on first use. Throws a
    /// clear error when the file is missing, is not a shared library, has no
    /// C_GetFunctionList, or its C_Initialize/C_GetInfo fail; a failed load
    /// leaves nothing behind (the library is dlclose()d, nothing is cached).
    static func load(_ path: String) throws -> PKCS11Library {
        if let library = loaded.withLock({ $0[path] }) { return library }
        return try loading.withLock { _ in
            if let library = loaded.withLock({ $0[path] }) { return library }
            let library = try open(path)
            loaded.withLock { $0[path] = library }
            return library
        }
    }

    private static func open(_ path: String) throws -> PKCS11Library {
        guard path.hasPrefix("/") else {
            throw CryptoError(.argumentsBad, "\(path): a PKCS#11 module is named by an absolute path")
        }
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw CryptoError(.fileError, "\(path): cannot load PKCS#11 module: \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw CryptoError(.fileError, "\(path): cannot load PKCS#11 module: not a regular file")
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw CryptoError(.fileError, "\(path) is not a PKCS#11 module: it cannot be loaded as a shared library (\(reason))")
        }
        var keepOpen = false
        defer { if !keepOpen { dlclose(handle) } }
        guard let symbol = dlsym(handle, "C_GetFunctionList") else {
            throw CryptoError(.fileError, "\(path) is not a PKCS#11 module: it has no C_GetFunctionList symbol")
        }
        typealias GetFunctionList = @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<CK_FUNCTION_LIST>?>?) -> CK_RV
        let getFunctionList = unsafeBitCast(symbol, to: GetFunctionList.self)
        var list: UnsafeMutablePointer<CK_FUNCTION_LIST>?
        let rv = getFunctionList(&list)
        guard rv == CKR_OK, let functions = list else {
            throw PKCS11Failure.error(rv, "C_GetFunctionList", path, fallback: .fileError)
        }
        var args = CK_C_INITIALIZE_ARGS()
        args.flags = CK_FLAGS(CKF_OS_LOCKING_OK)
        guard let initialize = functions.pointee.C_Initialize else {
            throw CryptoError(.fileError, "\(path) is not a PKCS#11 module: its function list has no C_Initialize")
        }
        let initRV = initialize(&args)
        guard initRV == CKR_OK || initRV == CKR_CRYPTOKI_ALREADY_INITIALIZED else {
            throw PKCS11Failure.error(initRV, "C_Initialize", path, fallback: .providerFailed)
        }
        // The C struct's function pointers import as implicitly unwrapped
        // optionals: calling a NULL entry would crash the process, so a table
        // missing any function this provider calls is refused here.
        if let missing = missingFunctions(functions.pointee).first {
            if let finalize = functions.pointee.C_Finalize { _ = finalize(nil) }
            throw CryptoError(.fileError, "\(path) is not a usable PKCS#11 module: its function list has no \(missing)")
        }
        var ckInfo = CK_INFO()
        let infoRV = functions.pointee.C_GetInfo(&ckInfo)
        guard infoRV == CKR_OK else {
            _ = functions.pointee.C_Finalize(nil)
            throw PKCS11Failure.error(infoRV, "C_GetInfo", path, fallback: .providerFailed)
        }
        keepOpen = true
        let info = LibraryInfo(
            cryptokiVersion: (Int(ckInfo.cryptokiVersion.major), Int(ckInfo.cryptokiVersion.minor)),
            manufacturer: PKCS11Text.padded(ckInfo.manufacturerID),
            description: PKCS11Text.padded(ckInfo.libraryDescription),
            libraryVersion: (Int(ckInfo.libraryVersion.major), Int(ckInfo.libraryVersion.minor)),
            functionListVersion: (Int(functions.pointee.version.major), Int(functions.pointee.version.minor)))
        return PKCS11Library(path: path, functions: functions, info: info)
    }

    /// The functions this provider calls that `list` leaves NULL, in call order.
    private static func missingFunctions(_ list: CK_FUNCTION_LIST) -> [String] {
        let entries: [(String, Bool)] = [
            ("C_Finalize", list.C_Finalize != nil),
            ("C_GetInfo", list.C_GetInfo != nil), ("C_GetSlotList", list.C_GetSlotList != nil),
            ("C_GetSlotInfo", list.C_GetSlotInfo != nil), ("C_GetTokenInfo", list.C_GetTokenInfo != nil),
            ("C_GetMechanismList", list.C_GetMechanismList != nil), ("C_GetMechanismInfo", list.C_GetMechanismInfo != nil),
            ("C_OpenSession", list.C_OpenSession != nil), ("C_CloseSession", list.C_CloseSession != nil),
            ("C_Login", list.C_Login != nil), ("C_CreateObject", list.C_CreateObject != nil),
            ("C_DestroyObject", list.C_DestroyObject != nil), ("C_GetAttributeValue", list.C_GetAttributeValue != nil),
            ("C_DigestInit", list.C_DigestInit != nil), ("C_Digest", list.C_Digest != nil),
            ("C_SignInit", list.C_SignInit != nil), ("C_Sign", list.C_Sign != nil),
            ("C_VerifyInit", list.C_VerifyInit != nil), ("C_Verify", list.C_Verify != nil),
            ("C_GenerateKeyPair", list.C_GenerateKeyPair != nil), ("C_DeriveKey", list.C_DeriveKey != nil),
            ("C_GenerateRandom", list.C_GenerateRandom != nil),
        ]
        return entries.filter { !$0.1 }.map(\.0)
    }

    /// Throws the framework's error for `rv` unless it is CKR_OK.
    func check(_ rv: CK_RV, _ function: String) throws {
        if rv != CKR_OK { throw PKCS11Failure.error(rv, function, path) }
    }

    // MARK: Slots

    /// Every slot (with or without a token).
    func slotList() throws -> [CK_SLOT_ID] {
        var count: CK_ULONG = 0
        try check(functions.pointee.C_GetSlotList(CK_BBOOL(CK_FALSE), nil, &count), "C_GetSlotList")
        var slots = [CK_SLOT_ID](repeating: 0, count: try listLength(count, "C_GetSlotList"))
        try check(functions.pointee.C_GetSlotList(CK_BBOOL(CK_FALSE), &slots, &count), "C_GetSlotList")
        return Array(slots.prefix(Int(clamping: count)))
    }

    /// A list length a module answered, bounded so a broken module cannot
    /// make us trap on the conversion or allocate without limit.
    private func listLength(_ count: CK_ULONG, _ function: String) throws -> Int {
        guard count <= 65_536 else {
            throw CryptoError(.deviceError, "\(function) on \(path) answered an implausible count of \(count)")
        }
        return Int(count)
    }

    func slotInfo(_ slot: CK_SLOT_ID) throws -> CK_SLOT_INFO {
        var info = CK_SLOT_INFO()
        try check(functions.pointee.C_GetSlotInfo(slot, &info), "C_GetSlotInfo")
        return info
    }

    func tokenInfo(_ slot: CK_SLOT_ID) throws -> CK_TOKEN_INFO {
        var info = CK_TOKEN_INFO()
        try check(functions.pointee.C_GetTokenInfo(slot, &info), "C_GetTokenInfo")
        return info
    }

    /// The token's mechanisms with their info (key sizes as the token reports them).
    func mechanisms(_ slot: CK_SLOT_ID) throws -> [(CK_MECHANISM_TYPE, CK_MECHANISM_INFO)] {
        var count: CK_ULONG = 0
        try check(functions.pointee.C_GetMechanismList(slot, nil, &count), "C_GetMechanismList")
        var types = [CK_MECHANISM_TYPE](repeating: 0, count: try listLength(count, "C_GetMechanismList"))
        try check(functions.pointee.C_GetMechanismList(slot, &types, &count), "C_GetMechanismList")
        return try types.prefix(Int(clamping: count)).map { type in
            var info = CK_MECHANISM_INFO()
            try check(functions.pointee.C_GetMechanismInfo(slot, type, &info), "C_GetMechanismInfo")
            return (type, info)
        }
    }
}

/// PKCS#11's fixed-width, blank-padded text fields.
enum PKCS11Text {
    static func padded<T>(_ field: T) -> String {
        withUnsafeBytes(of: field) { raw in
            var text = String(decoding: raw, as: UTF8.self)
            while let last = text.last, last == " " || last == "\0" { text.removeLast() }
            return text
        }
    }
}
