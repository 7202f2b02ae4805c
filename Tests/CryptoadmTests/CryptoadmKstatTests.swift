import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import Testing

/// `cryptoadm kstat` against a live process: this test process, whose
/// framework publishes to a scratch directory while the command reads it.
@Suite("cryptoadm kstat")
struct CryptoadmKstatTests {
    static func scratchDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cf-kstat-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The published document of this process's framework `n`, read by the command as JSON.
    static func published(_ dir: URL, _ extra: String...) throws -> [KstatDocument] {
        let run = try CryptoadmProcess(["kstat", "--dir", dir.path, "--json", "pid=\(getpid())"] + extra, environment: [:]).wait()
        guard run.status == 0 else { throw CryptoError(.deviceError, "cryptoadm kstat failed: \(run)") }
        return try JSONDecoder().decode([KstatDocument].self, from: Data(run.standardOutput.utf8))
    }

    @Test("a running framework's served counts and ncp/0's kstats are read by another process; the file goes with the framework")
    func liveProcess() async throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The key comes from a host framework that publishes nothing; the t2000 one
        // (ncp/0 first, sparcfp after) publishes while the command reads.
        let keys = try CryptoFramework(platform: .host, policy: .inMemory(Policy()), kstatDirectory: nil).pinned(to: "openssl")
        let key = try await keys.generateRSAKeyPair(bits: 1024)
        var fw: CryptoFramework? = try CryptoFramework(platform: .t2000(timing: .fast), policy: .inMemory(Policy()), kstatDirectory: dir)
        let signature = try await fw!.sign(.rsaPKCS, key: key, data: [1, 2, 3])
        #expect(try await fw!.verify(.rsaPKCS, key: key.publicKey, data: [1, 2, 3], signature: signature))
        _ = try await fw!.digest(.sha1, data: [1])  // sparcfp: ncp/0 has no digests
        // The last change is published by the trailing write within 0.1 s: poll, generously.
        _ = try await Polling.until(interval: 0.05) {
            try Self.published(dir, "provider=ncp/0").first?.provider("ncp/0")?.stats.served["verify"] == 1
        }
        let ncp = try Self.published(dir, "provider=ncp/0").first?.provider("ncp/0")
        let served = try #require(ncp).stats.served
        #expect(served == ["sign": 1, "verify": 1], "\(served)")
        #expect(ncp?.kind == "hardware")
        #expect(ncp?.kstats.contains { $0.name == "ncp0.algorithms" && $0.counters["rsaprivate"] == 1 } == true)
        let sparcfp = try Self.published(dir, "provider=sparcfp").first?.provider("sparcfp")
        #expect(sparcfp?.stats.served["digest"] == 1)

        let text = try cryptoadm("kstat", "--dir", dir.path, "pid=\(getpid())", "provider=ncp/0")
        #expect(text.status == 0, "\(text)")
        #expect(text.standardOutput.contains("provider: ncp/0 (hardware)"))
        #expect(text.standardOutput.contains("served: sign 1  verify 1"))

        fw = nil
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(left.isEmpty, "\(left)")
        let gone = try cryptoadm("kstat", "--dir", dir.path, "pid=\(getpid())")
        #expect(gone.status == 1, "\(gone)")
        #expect(gone.standardError.contains("no running process \(getpid()) has published kstats"))
    }

    @Test("a framework without a kstat directory writes nothing; the command needs a directory")
    func optIn() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fw = try CryptoFramework(platform: .host, policy: .inMemory(Policy()), kstatDirectory: nil)
        _ = try fw.digest(.sha256, data: [1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        let run = try cryptoadm("kstat")
        #expect(run.status == 2, "\(run)")
        #expect(run.standardError.contains("give --dir PATH or set CRYPTOFRAMEWORK_KSTAT_DIR"))
    }

    @Test("bad operands are usage errors", arguments: ["pid=abc", "pid=0", "mechanism=CKM_SHA_1", "all"])
    func badOperands(operand: String) throws {
        let run = try cryptoadm("kstat", "--dir", "/nonexistent", operand)
        #expect(run.status == 2, "\(run)")
    }

    @Test("an unreadable directory is a failure naming it")
    func missingDirectory() throws {
        let run = try cryptoadm("kstat", "--dir", "/nonexistent/cf-kstat")
        #expect(run.status == 1, "\(run)")
        #expect(run.standardError.contains("cannot read the kstat directory /nonexistent/cf-kstat"))
    }
}
