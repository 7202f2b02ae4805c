import Foundation
import Synchronization
import Testing
@_spi(Testing) @testable import CryptoFramework
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system temp directory, removed afterwards.
private func inTemporaryDirectory(_ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("policy-store-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer {
        chmod(directory.path, 0o755)
        try? FileManager.default.removeItem(at: directory)
    }
    return try body(directory)
}

private func contents(_ url: URL) -> [UInt8]? {
    (try? Data(contentsOf: url)).map { Array($0) }
}

private func mode(_ path: String) -> mode_t {
    var info = stat()
    stat(path, &info)
    return info.st_mode & 0o7777
}

private func fileError(containing fragment: String) -> (any Error) -> Bool {
    { error in
        guard let error = error as? CryptoError else { return false }
        return error.code == .fileError && error.message.contains(fragment)
    }
}

@Suite("kcf.conf on disk")
struct PolicyStoreTests {
    @Test func defaultLocationFollowsTheEnvironment() {
        #expect(PolicyStore.defaultURL(environment: [
            "CRYPTOFRAMEWORK_CONF": "/etc/cf/kcf.conf", "XDG_CONFIG_HOME": "/x", "HOME": "/home/a",
        ]).path == "/etc/cf/kcf.conf")
        #expect(PolicyStore.defaultURL(environment: ["XDG_CONFIG_HOME": "/x/cfg", "HOME": "/home/a"]).path
                == "/x/cfg/cryptoframework/kcf.conf")
        #expect(PolicyStore.defaultURL(environment: ["HOME": "/home/a"]).path
                == "/home/a/.config/cryptoframework/kcf.conf")
        // Empty values and a relative XDG_CONFIG_HOME (ignored, per the XDG spec) fall through.
        #expect(PolicyStore.defaultURL(environment: [
            "CRYPTOFRAMEWORK_CONF": "", "XDG_CONFIG_HOME": "relative", "HOME": "/home/b",
        ]).path == "/home/b/.config/cryptoframework/kcf.conf")
        #expect(PolicyStore.defaultURL(environment: [:]).path.hasSuffix("/.config/cryptoframework/kcf.conf"))
    }

    @Test func missingFileIsEverythingEnabled() throws {
        try inTemporaryDirectory { directory throws in
            let store = PolicyStore(url: directory.appendingPathComponent("absent/kcf.conf"))
            #expect(try store.load() == Policy())
            #expect(store.stamp() == nil)
        }
    }

    @Test func updateCreatesDirectoryAndFileAndLoadReadsThem() throws {
        try inTemporaryDirectory { directory throws in
            let url = directory.appendingPathComponent("a/b/kcf.conf")
            let store = PolicyStore(url: url)
            let result = try store.update {
                $0.disable(provider: "ncp/0", mechanisms: [.rsaPKCS, .random])
                $0.setUnloaded(true, provider: "sparcfp")
            }
            #expect(result[provider: "ncp/0"].disabled == [.rsaPKCS, .random])
            #expect(try store.load() == result)
            #expect(mode(url.path) == 0o644)
            #expect(mode(url.deletingLastPathComponent().path) == 0o755)
            #expect(FileManager.default.fileExists(atPath: url.path + ".lock"))
            let text = String(decoding: contents(url) ?? [], as: UTF8.self)
            #expect(text == result.kcfConfText)
        }
    }

    @Test func stampChangesWithEachWriteAndNotWithoutOne() throws {
        try inTemporaryDirectory { directory throws in
            let store = PolicyStore(url: directory.appendingPathComponent("kcf.conf"))
            try store.update { $0.disable(provider: "gmp", mechanisms: [.dhPKCSDerive]) }
            let first = try #require(store.stamp())
            #expect(store.stamp() == first)
            // Already disabled: no change, so no write.
            try store.update { $0.disable(provider: "gmp", mechanisms: [.dhPKCSDerive]) }
            #expect(store.stamp() == first)
            try store.update { $0.disable(provider: "gmp", mechanisms: [.random]) }
            #expect(store.stamp() != first)
        }
    }

    @Test func enablingEverythingDropsTheLine() throws {
        try inTemporaryDirectory { directory throws in
            let store = PolicyStore(url: directory.appendingPathComponent("kcf.conf"))
            try store.update { $0.disable(provider: "gmp", mechanisms: [.random]) }
            try store.update { $0.enable(provider: "gmp", mechanisms: [.random]) }
            #expect(try store.load() == Policy())
            let text = String(decoding: contents(store.url) ?? [], as: UTF8.self)
            #expect(!text.contains("gmp"))
        }
    }

    @Test func malformedFileFailsLoadAndUpdateWithPathAndLineAndIsLeftAlone() throws {
        try inTemporaryDirectory { directory throws in
            let url = directory.appendingPathComponent("kcf.conf")
            let original = Array("# mine\ngmp:disabledlist=CKM_NOPE\n".utf8)
            try Data(original).write(to: url)
            let store = PolicyStore(url: url)
            let positioned: (any Error) -> Bool = { error in
                guard let error = error as? CryptoError else { return false }
                return error.code == .policyInvalid && error.message.hasPrefix("\(url.path):2:18: ")
                    && error.message.contains("CKM_NOPE")
            }
            #expect(performing: { try store.load() }, throws: positioned)
            #expect(performing: { try store.update { $0.setUnloaded(true, provider: "gmp") } }, throws: positioned)
            #expect(contents(url) == original)
        }
    }

    @Test func unreadableFileIsAFileErrorNamingThePath() throws {
        try inTemporaryDirectory { directory throws in
            let url = directory.appendingPathComponent("kcf.conf")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
            #expect(performing: { try PolicyStore(url: url).load() },
                    throws: fileError(containing: "\(url.path): Is a directory"))
        }
    }

    @Test func aPolicyTheGrammarCannotStateIsNotWritten() throws {
        try inTemporaryDirectory { directory throws in
            let store = PolicyStore(url: directory.appendingPathComponent("kcf.conf"))
            try store.update { $0.disable(provider: "gmp", mechanisms: [.random]) }
            let before = contents(store.url)
            for change: (inout Policy) -> Void in [
                { $0.setUnloaded(true, provider: "ncp/0") },
                { $0.disable(provider: "has space", mechanisms: [.random]) },
            ] {
                #expect(performing: { try store.update(change) }, throws: { error in
                    (error as? CryptoError)?.code == .policyInvalid
                })
            }
            #expect(contents(store.url) == before)
        }
    }

    /// 16 threads, each its own `update` (own open of the lock file), each
    /// adding a distinct mechanism to one shared entry and its own provider
    /// entry. A lost update would drop one of them.
    @Test func concurrentWritersAllLand() throws {
        try inTemporaryDirectory { directory throws in
            let store = PolicyStore(url: directory.appendingPathComponent("conf/kcf.conf"))
            let writers = 16
            let mechanisms = Array(Mechanism.catalog.prefix(writers))
            let errors = Locked<[String]>([])
            let done = DispatchGroup()
            for i in 0..<writers {
                done.enter()
                let thread = Thread {
                    defer { done.leave() }
                    do {
                        try store.update {
                            $0.disable(provider: "gmp", mechanisms: [mechanisms[i]])
                            $0.setUnloaded(true, provider: "soft\(i)")
                            usleep(2_000)  // widen the read-modify-write window (a thread of its own: it may block)
                        }
                    } catch {
                        errors.withLock { $0.append("writer \(i): \(error)") }
                    }
                }
                thread.start()
            }
            done.wait()
            #expect(errors.withLock { $0 }.isEmpty)
            let policy = try store.load()
            #expect(policy[provider: "gmp"].disabled == Set(mechanisms))
            for i in 0..<writers {
                #expect(!policy.isActive(provider: "soft\(i)"), "writer \(i) lost")
            }
        }
    }

    /// The writer dies after writing and syncing its temp file, before the
    /// rename: the old file stays whole and no temp file is left behind.
    /// (A SIGKILL of a real cryptoadm process is tested with that binary.)
    @Test func writerFailingBeforeRenameLeavesTheOldFile() throws {
        struct Crash: Error {}
        try inTemporaryDirectory { directory throws in
            let store = PolicyStore(url: directory.appendingPathComponent("kcf.conf"))
            try store.update { $0.disable(provider: "ncp/0", mechanisms: [.rsaPKCS]) }
            let before = contents(store.url)
            #expect(throws: Crash.self) {
                try store.update({ $0.setUnloaded(true, provider: "sparcfp") }, beforeRename: { throw Crash() })
            }
            #expect(contents(store.url) == before)
            #expect(try store.load()[provider: "ncp/0"].disabled == [.rsaPKCS])
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(Set(names) == ["kcf.conf", "kcf.conf.lock"])
        }
    }

    /// What a writer killed mid-write leaves: temp files of garbage or half a
    /// policy. Readers never look at them; the next writer removes them.
    @Test func leftoverTempFilesAreIgnoredAndTidied() throws {
        try inTemporaryDirectory { directory throws in
            let store = PolicyStore(url: directory.appendingPathComponent("kcf.conf"))
            try store.update { $0.disable(provider: "gmp", mechanisms: [.random]) }
            let garbage = directory.appendingPathComponent(".kcf.conf.tmp.Ab12Cd")
            let torn = directory.appendingPathComponent(".kcf.conf.tmp.Zz99Yy")
            try Data([0xFF, 0x00, 0x3A, 0x0A]).write(to: garbage)
            try Data("gmp:disabledlist=CKM_RSA_PK".utf8).write(to: torn)
            let other = directory.appendingPathComponent("notes.txt")
            try Data("keep me".utf8).write(to: other)

            #expect(try store.load()[provider: "gmp"].disabled == [.random])
            try store.update { $0.disable(provider: "gmp", mechanisms: [.sha1]) }
            #expect(try store.load()[provider: "gmp"].disabled == [.random, .sha1])
            #expect(!FileManager.default.fileExists(atPath: garbage.path))
            #expect(!FileManager.default.fileExists(atPath: torn.path))
            #expect(FileManager.default.fileExists(atPath: other.path))
        }
    }

    /// Root ignores permission bits, so the always-meaningful case puts the
    /// store under a regular file (ENOTDIR); the chmod 0500 case runs when not root.
    @Test func unwritableLocationIsAFileErrorAndWritesNothing() throws {
        try inTemporaryDirectory { directory throws in
            let blocker = directory.appendingPathComponent("not-a-directory")
            try Data("plain file".utf8).write(to: blocker)
            let store = PolicyStore(url: blocker.appendingPathComponent("cryptoframework/kcf.conf"))
            #expect(performing: { try store.update { $0.setUnloaded(true, provider: "gmp") } },
                    throws: fileError(containing: "\(blocker.path)/cryptoframework: Not a directory"))
            #expect(contents(blocker) == Array("plain file".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["not-a-directory"])

            // kcf.conf itself in the way as a directory: reading it fails before anything is written.
            let occupied = directory.appendingPathComponent("occupied")
            try FileManager.default.createDirectory(
                at: occupied.appendingPathComponent("kcf.conf"), withIntermediateDirectories: true)
            #expect(performing: {
                try PolicyStore(url: occupied.appendingPathComponent("kcf.conf")).update {
                    $0.setUnloaded(true, provider: "gmp")
                }
            }, throws: fileError(containing: "kcf.conf: Is a directory"))
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: occupied.path)) == ["kcf.conf", "kcf.conf.lock"])

            if getuid() != 0 {
                let readOnly = directory.appendingPathComponent("read-only")
                try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: false)
                chmod(readOnly.path, 0o500)
                defer { chmod(readOnly.path, 0o755) }
                #expect(performing: {
                    try PolicyStore(url: readOnly.appendingPathComponent("kcf.conf")).update {
                        $0.setUnloaded(true, provider: "gmp")
                    }
                }, throws: fileError(containing: "Permission denied"))
                #expect(try FileManager.default.contentsOfDirectory(atPath: readOnly.path).isEmpty)
            }
        }
    }
}
