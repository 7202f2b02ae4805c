import CryptoFramework
import Providers
import Testing

/// Frameworks over a configured ncp device with software behind it, and an
/// independent checker pinned to openssl on a framework of its own.
enum NCPTestSupport {
    static let checker = try! CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "openssl")

    /// One RSA-1024 key for the tests, made by openssl.
    static let key: RSAPrivateKey = try! checker.generateRSAKeyPair(bits: 1024)

    /// A framework whose hardware is `configuration`'s ncp device, with openssl and gmp behind it.
    static func framework(_ configuration: NCPConfiguration) throws -> (CryptoFramework, NCPProvider) {
        let ncp = NCPProvider(configuration: configuration)
        let platform = Platform(
            name: "ncp-test", clockHz: nil, softwarePriority: ["openssl", "gmp"],
            makeProviders: { [ncp, OpenSSLProvider(), GMPProvider()] })
        return (try CryptoFramework(platform: platform, policy: .inMemory(Policy())), ncp)
    }

    /// The message of job `i`: a SHA-256 DigestInfo-sized input for CKM_RSA_PKCS.
    static func message(_ i: Int) -> [UInt8] {
        (0..<32).map { UInt8(truncatingIfNeeded: i &* 31 &+ $0) }
    }

    /// Signatures of messages 0..<16, made by the independent checker.
    static let signatures: [[UInt8]] = (0..<16).map { try! checker.sign(.rsaPKCS, key: key, data: message($0)) }

    /// Verification job `i`: message i mod 16 against its signature, or (odd
    /// i) against the next message's signature. The answer the job must give
    /// is the independent checker's.
    static func verifyAndCheck(_ fw: CryptoFramework, _ i: Int) async throws -> OperationReport {
        let data = message(i % 16)
        let signature = signatures[(i + i % 2) % 16]
        let reported = try await fw.perform(.verify(.rsaPKCS, key: key.publicKey, data: data, signature: signature, pss: nil))
        let expected = try await checker.verify(.rsaPKCS, key: key.publicKey, data: data, signature: signature)
        guard case .verified(let answer) = reported.value else {
            Issue.record("job \(i): no verification answer")
            return reported.report
        }
        #expect(answer == expected, "job \(i) on \(reported.report.provider) answered \(answer), the checker \(expected)")
        return reported.report
    }

    /// Signs message `i` through `fw` and checks the signature on the independent checker.
    static func signAndCheck(_ fw: CryptoFramework, _ i: Int) async throws -> OperationReport {
        let data = message(i)
        let reported = try await fw.perform(.sign(.rsaPKCS, key: key, data: data, pss: nil))
        guard case .bytes(let signature) = reported.value else {
            Issue.record("job \(i): no signature bytes")
            return reported.report
        }
        let ok = try await checker.verify(.rsaPKCS, key: key.publicKey, data: data, signature: signature)
        #expect(ok, "job \(i) served by \(reported.report.provider): signature does not verify independently")
        return reported.report
    }

    /// Runs `count` jobs at once; returns every report (one per job: none lost).
    static func concurrently(
        _ fw: CryptoFramework, count: Int,
        _ job: @escaping @Sendable (CryptoFramework, Int) async throws -> OperationReport
    ) async throws -> [OperationReport] {
        try await withThrowingTaskGroup(of: OperationReport.self) { group in
            for i in 0..<count {
                group.addTask { try await job(fw, i) }
            }
            var reports: [OperationReport] = []
            for try await r in group { reports.append(r) }
            return reports
        }
    }
}
