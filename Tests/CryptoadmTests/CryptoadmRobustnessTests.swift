import CryptoFramework
import Foundation
import ProcessSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The policy file under malformed input, unwritable locations, concurrent
/// writers and a writer killed mid-write. (The kcf.conf parser's 100,000-input
/// property test is CryptoFrameworkTests/PolicyFileTests.)
@Suite("cryptoadm and a robust policy file")
struct CryptoadmRobustnessTests {
    @Test("a malformed kcf.conf: exit 1 naming line and column, and the file is never replaced",
          arguments: [["list"], ["list", "-p"], ["disable", "provider=gmp", "mechanism=CKM_RSA_PKCS"],
                      ["enable", "provider=openssl", "all"], ["unload", "provider=gmp"], ["refresh"]])
    func malformed(_ arguments: [String]) throws {
        let text = "# admin's notes\nopenssl:disabledlist=CKM_SHA256\ngmp:disabledlist=CKM_NOPE\n"
        let config = try scratchConfig(text)
        let before = try Data(contentsOf: config)
        let run = try CryptoadmProcess(arguments + ["--config", config.path]).wait()
        #expect(run.status == 1, "\(run)")
        #expect(run.standardError.contains("\(config.path):3:18: unknown mechanism 'CKM_NOPE'"), "\(run)")
        #expect(try Data(contentsOf: config) == before)
    }

    @Test("an unwritable location (a regular file where the directory should be) is a clear error")
    func unwritable() throws {
        let notADirectory = try scratchConfig().deletingLastPathComponent().appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: notADirectory)
        let config = notADirectory.appendingPathComponent("kcf.conf")
        let run = try cryptoadm("disable", "provider=gmp", "all", "--config", config.path)
        #expect(run.status == 1, "\(run)")
        #expect(run.standardError == "cryptoadm: cannot use directory \(notADirectory.path): Not a directory\n")
        #expect(try Data(contentsOf: notADirectory) == Data("x".utf8))
    }

    @Test("16 concurrent disables of distinct mechanisms: all 16 are recorded")
    func concurrentWriters() throws {
        let config = try scratchConfig("# before\ngmp:disabledlist=CKM_DH_PKCS_DERIVE\n")
        let mechanisms: [Mechanism] = [
            .rsaPKCSKeyPairGen, .rsaPKCS, .rsaX509, .sha1RSAPKCS, .rsaPKCSPSS, .sha1RSAPKCSPSS,
            .dhPKCSKeyPairGen, .dhPKCSDerive, .sha256RSAPKCS, .sha384RSAPKCS, .sha512RSAPKCS,
            .des3CBC, .sha1, .sha256, .sha384, .aesCBC,
        ]
        let processes = try mechanisms.map {
            try CryptoadmProcess(["disable", "provider=openssl", "mechanism=\($0.name)", "--config", config.path])
        }
        for run in processes.map({ $0.wait() }) {
            #expect(run.status == 0, "\(run)")
        }
        let policy = try PolicyStore(url: config).load()
        #expect(policy[provider: "openssl"].disabled == Set(mechanisms))
        #expect(policy[provider: "gmp"].disabled == [.dhPKCSDerive])
    }

    @Test("cryptoadm killed with SIGKILL between writing the new file and renaming it leaves the old file whole")
    func killedMidWrite() async throws {
        let old = "gmp:disabledlist=CKM_DH_PKCS_DERIVE\n"
        let config = try scratchConfig(old)
        let writer = try CryptoadmProcess(["disable", "provider=openssl", "all", "--debug-pause-before-rename",
                                           "--config", config.path])
        // The hook announces itself once the temp file is written and fsynced, then pauses
        // 30 s. Watched and killed from a thread of its own: a cooperative pool busy with
        // other tests must not make the kill late.
        let (announced, killed) = try await DedicatedThread.run(name: "killer") {
            _ = Polling.until { writer.stderrSoFar.contains("paused before rename") || !writer.child.isRunning }
            let announced = writer.stderrSoFar.contains("paused before rename")
            writer.child.signal(SIGKILL)
            return (announced, writer.wait())
        }
        #expect(announced)
        #expect(killed.status == SIGKILL, "\(killed)")
        #expect(killed.termination == .signalled(SIGKILL))

        let directory = config.deletingLastPathComponent()
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".kcf.conf.tmp.") }
        #expect(leftovers.count == 1, "the killed writer's complete temp file is left behind: \(leftovers)")
        #expect(try String(contentsOf: config, encoding: .utf8) == old)
        #expect(try PolicyStore(url: config).load()[provider: "gmp"].disabled == [.dhPKCSDerive])

        // The next run succeeds, and tidies the dead writer's temp file away.
        let next = try cryptoadm("disable", "provider=openssl", "mechanism=CKM_SHA256", "--config", config.path)
        #expect(next.status == 0, "\(next)")
        let policy = try PolicyStore(url: config).load()
        #expect(policy[provider: "openssl"].disabled == [.sha256])
        #expect(policy[provider: "gmp"].disabled == [.dhPKCSDerive])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".kcf.conf.tmp.") }.isEmpty)
    }
}
