internal import CPKCS11
import CryptoFramework
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Token objects on disk, one file per object plus the `token` record, in
/// ``FrameworkEnvironment/keystore`` (else `$XDG_DATA_HOME/cryptoframework/keystore`,
/// else `~/.local/share/cryptoframework/keystore`), as Solaris' softtoken kept
/// its keystore. Private objects are sealed with AES-256-GCM under the token's
/// master key; every file is written to a temporary name, fsync'ed, renamed
/// into place, mode 0600. The directory is created on the first write only.
struct Keystore: Sendable {
    let directory: String

    static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = FrameworkEnvironment.keystore.value(in: environment) { return explicit }
        let dataHome: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {  // XDG: a relative value is ignored
            dataHome = xdg
        } else {
            dataHome = (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/") + "/.local/share"
        }
        return dataHome + "/cryptoframework/keystore"
    }

    static let objectMagic = Array("CFKSOBJ1".utf8)
    private var tokenPath: String { directory + "/token" }

    // MARK: Token record

    /// The token record; nil when the token was never initialized. A record
    /// that cannot be parsed is CKR_DEVICE_ERROR (nothing is overwritten).
    func readToken() throws(CryptokiError) -> TokenRecord? {
        guard let bytes = readFile(tokenPath) else { return nil }
        guard let record = TokenRecord(bytes) else { throw .deviceError }
        return record
    }

    func writeToken(_ record: TokenRecord) throws(CryptokiError) {
        try writeAtomically(record.encoded(), to: tokenPath)
    }

    // MARK: Objects

    enum StoredObject {
        case loaded(ObjectRecord)
        /// Sealed: readable after login.
        case locked
        /// Unreadable: a file that does not parse, or whose seal does not open
        /// with the token's key. It is left as it is.
        case corrupt
    }

    func objectNames() -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { $0.hasPrefix("obj-") && !$0.hasSuffix(".tmp") }.sorted()
    }

    func readObject(_ name: String, masterKey: SecureBytes?) -> StoredObject {
        guard let bytes = readFile(directory + "/" + name), bytes.count > Self.objectMagic.count,
            Array(bytes.prefix(Self.objectMagic.count)) == Self.objectMagic
        else { return .corrupt }
        let sealed = bytes[Self.objectMagic.count]
        let body = bytes[(Self.objectMagic.count + 1)...]
        let fields: [UInt64: [UInt8]]?
        switch sealed {
        case 0:
            fields = body.withUnsafeBytes { KeystoreFormat.decode($0) }
        case 1:
            guard let masterKey else { return .locked }
            guard let plain = KeystoreCipher.open(body, key: masterKey, aad: Self.aad(name, sealed: true)) else { return .corrupt }
            fields = plain.withUnsafeBytes { KeystoreFormat.decode($0) }
        default:
            return .corrupt
        }
        guard let fields else { return .corrupt }
        var attributes: [CK_ATTRIBUTE_TYPE: [UInt8]] = [:]
        var secrets: [CK_ATTRIBUTE_TYPE: SecureBytes] = [:]
        let objectClass = fields[UInt64(CKA_CLASS)].flatMap { try? AttributeValue.ulong($0) } ?? CK_UNAVAILABLE_INFORMATION
        for (type, value) in fields {
            let type = CK_ATTRIBUTE_TYPE(type)
            if AttributeCatalog.isSecret(type, objectClass: objectClass) { secrets[type] = SecureBytes(value) } else { attributes[type] = value }
        }
        // Secret material outside a seal means the file was altered.
        if sealed == 0 && !secrets.isEmpty { return .corrupt }
        // A file without what its class and key type require is corrupt (skipped, left as it is).
        let keyType = attributes[CKA_KEY_TYPE].flatMap { try? AttributeValue.ulong($0) }
        guard let required = try? ObjectBuilder.requiredAttributes(objectClass: objectClass, keyType: keyType),
            required.allSatisfy({ !(attributes[$0]?.isEmpty ?? secrets[$0]?.isEmpty ?? true) })
        else { return .corrupt }
        guard let record = try? ObjectRecord(attributes: attributes, secrets: secrets) else { return .corrupt }
        record.fileName = name
        return .loaded(record)
    }

    /// Writes `record` (a new name, or its own file when it has one); private
    /// objects and objects with key material are sealed under `masterKey`.
    func writeObject(_ record: ObjectRecord, masterKey: SecureBytes?) throws(CryptokiError) -> String {
        var name = record.fileName ?? ""
        if name.isEmpty { name = try "obj-" + KeystoreCipher.randomBytes(8).map { hex($0) }.joined() }
        var entries = record.attributes.map { (UInt64($0.key), $0.value) }
        entries += record.secrets.map { (UInt64($0.key), $0.value.bytes) }
        let mustSeal = record.isPrivate || !record.secrets.isEmpty
        var plain = SecureBytes(KeystoreFormat.encode(entries))
        var file = Self.objectMagic + [mustSeal ? 1 : 0]
        if mustSeal {
            guard let masterKey else { throw .userNotLoggedIn }
            guard let sealed = plain.withUnsafeBytes({ try? KeystoreCipher.seal($0, key: masterKey, aad: Self.aad(name, sealed: true)) })
            else { throw .functionFailed }
            file += sealed
        } else {
            file += plain.bytes
        }
        plain = SecureBytes([])
        try writeAtomically(file, to: directory + "/" + name)
        return name
    }

    func deleteObject(_ name: String) {
        unlink(directory + "/" + name)
    }

    private static func aad(_ name: String, sealed: Bool) -> [UInt8] { objectMagic + [sealed ? 1 : 0] + Array(name.utf8) }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    /// Runs `body` holding an exclusive flock on `<keystore>/.lock`: changes that
    /// read and rewrite the token record (a PIN change, C_InitToken) from two
    /// processes never lose one another's update.
    func exclusively<R>(_ body: () throws(CryptokiError) -> R) throws(CryptokiError) -> R {
        try makeDirectory()
        let fd = open(directory + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .deviceError }
        defer { close(fd) }  // closing releases the lock
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .deviceError }
        }
        return try body()
    }

    // MARK: Files

    private func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { break }
            bytes += chunk[0..<n]
            guard bytes.count < 16 << 20 else { return nil }  // no object is this large
        }
        return bytes
    }

    /// temp file (0600) → write → fsync → rename over `path` → fsync the directory.
    private func writeAtomically(_ bytes: [UInt8], to path: String) throws(CryptokiError) {
        try makeDirectory()
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .deviceError }
        var ok = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .deviceError
        }
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    private func makeDirectory() throws(CryptokiError) {
        var status = stat()
        if stat(directory, &status) == 0 { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch { throw .deviceError }
    }
}
