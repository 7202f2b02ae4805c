import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Identity of the policy file's current version, from one `stat()`: a running
/// framework compares stamps to notice that cryptoadm replaced the file.
///
/// Every write renames a new inode into place, so device+inode change with each
/// update; size and mtime cover hand edits in place. Linux stamps mtime with a
/// coarse (per-tick) clock and may reuse a freed inode number, so two writes of
/// equal size within one tick can, rarely, share a stamp: a reader that must
/// not miss such a change re-reads while the mtime is within a second of now.
public struct FileStamp: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    public let modificationNanoseconds: Int64
}

/// kcf.conf on disk: where it lives, reading it, and changing it safely
/// (docs/DESIGN.md "Policy file (kcf.conf)").
///
/// Writers serialize on an exclusive `flock` of the sibling `kcf.conf.lock`,
/// not of kcf.conf itself, which each write replaces by rename. flock locks
/// belong to the open file description, so every `update` (thread or process)
/// opens the lock file itself and they exclude one another. Readers take no
/// lock: rename makes each version appear whole.
public struct PolicyStore: Sendable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// `$CRYPTOFRAMEWORK_CONF`, else `$XDG_CONFIG_HOME/cryptoframework/kcf.conf`,
    /// else `$HOME/.config/cryptoframework/kcf.conf`.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = FrameworkEnvironment.conf.url(in: environment) {
            return explicit
        }
        let configHome: String
        // The XDG Base Directory spec says to ignore a relative XDG_CONFIG_HOME.
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            configHome = xdg
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.passwordFileHome() ?? "/"
            configHome = (home as NSString).appendingPathComponent(".config")
        }
        return URL(fileURLWithPath: configHome)
            .appendingPathComponent("cryptoframework")
            .appendingPathComponent("kcf.conf")
    }

    /// The policy in the file; a missing file is the empty policy (everything enabled).
    public func load() throws -> Policy {
        guard let bytes = try readFile() else { return Policy() }
        return try Policy(kcfConfBytes: bytes, fileName: url.path)
    }

    /// Changes the policy on disk: lock, re-read, apply `change`, and, if the
    /// result differs, replace the file atomically. Returns the policy now in
    /// force. A malformed existing file, a throwing `change` or a policy the
    /// grammar cannot express throws without writing anything.
    @discardableResult
    public func update(_ change: (inout Policy) throws -> Void) throws -> Policy {
        try update(change, beforeRename: nil)
    }

    /// `update` with a hook run after the temp file is complete and synced,
    /// before the rename: tests throw from it to act out a writer that dies there,
    /// and cryptoadm's hidden debug option pauses in it so a test can SIGKILL
    /// the process mid-write. Not API: only for such tests.
    @_spi(Testing) @discardableResult
    public func update(_ change: (inout Policy) throws -> Void, beforeRename: (() throws -> Void)?) throws -> Policy {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        try Self.makeDirectories(directory)

        let lock = try Self.lockExclusively(path + ".lock")
        defer { close(lock) }  // closing the last descriptor of the description drops the flock
        removeStaleTemporaries(in: directory)

        let current = try load()
        var changed = current
        try change(&changed)
        if changed == current { return current }

        let text = changed.kcfConfText
        // Never write what the next reader would reject (a name or an `unload`
        // set through the API that the grammar does not allow).
        let written: Policy
        do {
            written = try Policy(kcfConf: text, fileName: "\(path) (new contents)")
        } catch let error as CryptoError {
            throw CryptoError(.policyInvalid, "not writing \(path): \(error.message)")
        }
        guard written == changed else {
            throw CryptoError(.policyInvalid, "not writing \(path): the new policy would not read back as written")
        }
        try replaceFile(with: Array(text.utf8), directory: directory, beforeRename: beforeRename)
        return written
    }

    /// The file's identity now, or nil when it does not exist (or cannot be stat'ed).
    public func stamp() -> FileStamp? {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        return FileStamp(
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            size: Int64(info.st_size),
            modificationNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    // MARK: Reading

    /// The file's bytes, nil if it does not exist. Reads at most one byte past
    /// the parser's size limit, so a huge file costs no more than that.
    private func readFile() throws -> [UInt8]? {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let error = errno
            if error == ENOENT { return nil }
            throw Self.fileError("cannot read", path, error)
        }
        defer { close(fd) }
        let limit = KCFConfLimits.maxFileBytes + 1
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, limit - bytes.count)) }
            if count < 0 {
                let error = errno
                if error == EINTR { continue }
                throw Self.fileError("cannot read", path, error)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return bytes
    }

    // MARK: Writing

    /// Temp files are `.kcf.conf.tmp.XXXXXX` beside kcf.conf: same file system, so rename is atomic.
    private var temporaryPrefix: String { "." + url.lastPathComponent + ".tmp." }

    /// Writes `bytes` to a new temp file, syncs it, renames it over kcf.conf and
    /// syncs the directory. A failure at any step leaves the old file and no temp file.
    private func replaceFile(with bytes: [UInt8], directory: String, beforeRename: (() throws -> Void)?) throws {
        let path = url.path
        var template = Array((directory as NSString).appendingPathComponent(temporaryPrefix + "XXXXXX").utf8CString)
        // mkostemp (O_CLOEXEC at creation) is not in Swift's Glibc module.
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw Self.fileError("cannot create a temporary file in", directory, errno) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do {
            defer { close(fd) }
            // mkstemp creates 0600; kcf.conf is world-readable, as /etc/crypto/kcf.conf is.
            if fchmod(fd, 0o644) != 0 { throw Self.fileError("cannot set the mode of", temporary, errno) }
            try Self.writeAll(fd, bytes, path: temporary)
            if fsync(fd) != 0 { throw Self.fileError("cannot sync", temporary, errno) }
        }
        try beforeRename?()
        if rename(temporary, path) != 0 { throw Self.fileError("cannot replace", path, errno) }
        renamed = true
        try Self.syncDirectory(directory)
    }

    /// Under the lock no other writer has a temp file open, so any that exist
    /// were left by a writer that died; they are never read, only tidied away.
    private func removeStaleTemporaries(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(temporaryPrefix) {
            unlink((directory as NSString).appendingPathComponent(name))
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                let error = errno
                if error == EINTR { continue }
                throw fileError("cannot write", path, error)
            }
            offset += count
        }
    }

    /// Makes the rename durable. Some file systems cannot fsync a directory (EINVAL);
    /// there the rename is as durable as they allow.
    private static func syncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw fileError("cannot open directory", directory, errno) }
        defer { close(fd) }
        if fsync(fd) != 0, errno != EINVAL { throw fileError("cannot sync directory", directory, errno) }
    }

    /// Opens (creating, 0644) and flocks `path`; the caller closes the descriptor to unlock.
    private static func lockExclusively(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw fileError("cannot open lock file", path, errno) }
        while flock(fd, LOCK_EX) != 0 {
            let error = errno
            if error == EINTR { continue }
            close(fd)
            throw fileError("cannot lock", path, error)
        }
        return fd
    }

    /// `mkdir -p` with mode 0755 (set explicitly, whatever the umask).
    private static func makeDirectories(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR { return }
            throw fileError("cannot use directory", path, ENOTDIR)
        }
        let error = errno
        guard error == ENOENT else { throw fileError("cannot use directory", path, error) }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 {
            let error = errno
            if error == EEXIST { return }  // another writer made it first
            throw fileError("cannot create directory", path, error)
        }
        chmod(path, 0o755)
    }

    private static func passwordFileHome() -> String? {
        guard let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }

    private static func fileError(_ what: String, _ path: String, _ error: Int32) -> CryptoError {
        CryptoError(.fileError, "\(what) \(path): \(String(cString: strerror(error)))")
    }
}
