import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import Testing

/// A C program (Fixtures/module_client.c, compiled here with cc) loads the
/// module with dlopen and drives the C ABI directly: many threads at once,
/// fork(), a policy change between two calls, strongSwan's DH, bad input, the
/// keystore's PIN and corruption handling, and the host's process state.
@Suite("C client of the module", .serialized)
struct CClientTests {
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/module_client.c")

    /// The client, compiled once per test process (by the first test that asks).
    static let client = Task<Result<String, ClientBuildError>, Never> {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("module_client-\(getpid())").path
        var arguments = ["-O1", "-o", output, source.path, "-lgmp", "-lpthread", "-ldl"]
        if let flags = try? await runClient("pkg-config", ["--cflags", "p11-kit-1"], environment: ProcessInfo.processInfo.environment), flags.status == 0 {
            arguments.insert(contentsOf: flags.standardOutput.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }, at: 0)
        }
        guard let run = try? await runClient("cc", arguments, environment: ProcessInfo.processInfo.environment), run.status == 0 else {
            return .failure(ClientBuildError(message: "cc could not build module_client.c"))
        }
        return .success(output)
    }

    struct ClientBuildError: Error { let message: String }

    private func run(_ scenario: [String], platform: String = "host", scratch: Scratch) async throws -> ChildProcess.Outcome {
        try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
        let client = try await Self.client.value.get()
        return try await runClient(client, [ModuleUnderTest.path] + scenario, environment: scratch.environment(platform: platform))
    }

    @Test("many threads sign and verify at once", arguments: ["host", "t2000"])
    func threads(platform: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["threads", "8", "4"], platform: platform, scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
        #expect(run.standardError.isEmpty, "the module wrote to stderr: \(run.standardError)")
    }

    @Test("t2000: C_Sign and C_Verify of CKM_SHA256_RSA_PKCS are composed (Selection rule 6), and the trace names both halves")
    func composedOnT2000() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
        let trace = scratch.root.appendingPathComponent("trace").path
        let run = try await runClient(
            try await Self.client.value.get(), [ModuleUnderTest.path, "threads", "1", "2"],
            environment: scratch.environment(platform: "t2000", extra: ["CRYPTOFRAMEWORK_TRACE": "1", "CRYPTOFRAMEWORK_TRACE_FILE": trace]))
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        for function in ["C_Sign", "C_Verify"] {
            let composed = lines.filter {
                $0.contains("\(function) CKM_SHA256_RSA_PKCS") && $0.contains("by ncp/0")
                    && $0.contains("(composed: CKM_RSA_PKCS by ncp/0, CKM_SHA256 by sparcfp)")
            }
            #expect(composed.count == 2, "\(function): \(lines)")
        }
    }

    @Test("fork(): the child sees the module uninitialized, initializes it and signs; the parent goes on")
    func fork() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["fork"], scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("a policy change between two C_GetMechanismList calls is seen by the second; a malformed one changes nothing, silently")
    func policyChange() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let framework = try CryptoFramework(platform: .host, policy: .inMemory(Policy()))
        let offering = framework.providers.filter { $0.info(for: .sha256) != nil }.map(\.name)
        try #require(!offering.isEmpty)
        let policy = offering.map { "\($0):disabledlist=CKM_SHA256\n" }.joined()
        let run = try await run(["policy", scratch.conf, policy], scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
        #expect(run.standardError.isEmpty, "the module wrote to stderr: \(run.standardError)")
    }

    @Test("strongSwan's DH: read-only session without login, derive into a readable generic secret", arguments: ["host", "t2000"])
    func diffieHellman(platform: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let prime = DHGroup.ike(14)!.prime.map { String(format: "%02x", $0) }.joined()
        let run = try await run(["dh", prime], platform: platform, scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("strongSwan's RSA: a bare public key made in a read-only session verifies a signature stripped of up to 8 leading zeros, and no more", arguments: ["host", "t2000"])
    func strongSwanVerify(platform: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["strongswan"], platform: platform, scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("C_Verify with k = 128: a valid signature with a leading 0x00 verifies as 127 bytes; 0, 4, 119 and 129 bytes are CKR_SIGNATURE_LEN_RANGE (PKCS#1 v1.5, PSS, X.509)", arguments: ["host", "t2000"])
    func verifyLengthRule(platform: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["verifylen"], platform: platform, scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("RSA encryption through the C ABI: CKM_RSA_PKCS, CKM_RSA_PKCS_OAEP (SHA-1; SHA-256 with a label), CKM_RSA_X_509; lengths, tampering, parameters", arguments: ["host", "t2000"])
    func rsaEncryption(platform: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["rsaenc"], platform: platform, scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("C_WrapKey/C_UnwrapKey: RFC 3394 and RFC 5649 vectors, RSA-OAEP, CKA_EXTRACTABLE, CKA_WRAP_WITH_TRUSTED, CKA_TRUSTED (SO only), wrong keys and handles", arguments: ["host", "t2000"])
    func keyWrapping(platform: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["wrap"], platform: platform, scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("C_CopyObject, C_GetObjectSize, C_DigestKey and CKA_ALLOWED_MECHANISMS through the C ABI")
    func objectFunctions() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["objects"], scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("bad input through the C ABI: NULL pointers, short buffers, wrong handles, bad templates, calls out of order")
    func badInput() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["bad"], scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
        #expect(run.standardError.isEmpty, "the module wrote to stderr: \(run.standardError)")
    }

    @Test("lengths at the top of CK_ULONG's range (CK_UNAVAILABLE_INFORMATION, ≥ 2^63) are errors, never a trap")
    func hugeLengths() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["hugelen"], scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("key generation values: an empty RSA exponent and a DH private length the group cannot take are CKR_ATTRIBUTE_VALUE_INVALID; DES3 keys keep odd parity")
    func keyGenerationValues() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let prime = DHGroup.ike(14)!.prime.map { String(format: "%02x", $0) }.joined()
        let run = try await run(["keyvalues", prime], scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("C_Logout destroys private session objects and ends the operations that used them")
    func logoutDestroysPrivateSessionObjects() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["logout"], scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("fork() while another thread is inside the module: every child's C_Initialize and C_Finalize complete")
    func forkWhileBusy() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["forkbusy", "40"], scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("the host's signal handlers, locale and GMP allocator are as they were, and C_Finalize leaves no thread", arguments: ["host", "t2000"])
    func goodGuest(platform: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["guest"], platform: platform, scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.hasSuffix("\nOK\n"), "\(run)")
        #expect(run.standardError.isEmpty, "the module wrote to stderr: \(run.standardError)")
    }

    @Test("what google/pkcs11test expects: CKR_CRYPTOKI_NOT_INITIALIZED before any argument, C_WaitForSlotEvent without blocking, CKF_USER_PIN_COUNT_LOW after a wrong PIN, CKM_MD5_RSA_PKCS, sensitive keys unextractable by default, a public token private key CKR_TEMPLATE_INCONSISTENT",
          arguments: ["host", "t2000", "t5220"])
    func conformanceAnswers(platform: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["conformance"], platform: platform, scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.hasSuffix("OK\n"), "\(run)")
    }

    @Test("dlclose after C_Finalize with kstats published: the host goes on and loads the module again (it stays mapped)")
    func unloadAfterFinalize() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
        let client = try await Self.client.value.get()
        let kstats = scratch.root.appendingPathComponent("kstat").path
        let run = try await runClient(client, [ModuleUnderTest.path, "unload"],
                                environment: scratch.environment(extra: ["CRYPTOFRAMEWORK_KSTAT_DIR": kstats]))
        #expect(run.status == 0 && run.standardOutput.hasSuffix("OK\n"), "\(run)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: kstats).isEmpty, "a kstat file outlived C_Finalize")
    }

    // Host only: t2000's providers (ncp/0, sparcfp) serve no EC, so its slot lists none.
    @Test("EC through the C ABI: P-256/384/521 ECDSA, Ed25519 EdDSA, P-256 and X25519 ECDH, raw and DER points, malformed values refused")
    func ellipticCurves() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await run(["ec"], scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
        #expect(run.standardError.isEmpty, "the module wrote to stderr: \(run.standardError)")
    }

    /// The framework's synchronous digest (an async caller would get the async overload).
    static func sha256(_ data: [UInt8]) throws -> [UInt8] {
        try CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "openssl").digest(.sha256, data: data)
    }

    @Test("symmetric mechanisms through the C ABI: AES-ECB/CTR/GCM vectors in uneven parts, counter wrap, a GCM tag mismatch releasing nothing, HMAC and HMAC_GENERAL, MD5, 65 MiB streams (t5220: CTR on n2cp/0's stream)", arguments: ["host", "t2000", "t5220"])
    func symmetric(platform: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let zeros = [UInt8](repeating: 0, count: 65 << 20)
        let expected = try Self.sha256(zeros)
        let run = try await run(["symmetric", expected.map { String(format: "%02x", $0) }.joined()], platform: platform, scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
        // t2000's providers (sparcfp: Solaris 10's aes module era) offer AES-ECB/CBC only;
        // t5220 adds n2cp/0's AES-CTR, and neither has AES-GCM (docs/t2.md).
        #expect(run.standardOutput.contains("ciphers skipped") == (platform == "t2000"), "\(run)")
        #expect(run.standardOutput.contains("GCM skipped") == (platform == "t5220"), "\(run)")
        #expect(run.standardError.isEmpty, "the module wrote to stderr: \(run.standardError)")
    }

    @Test("a token EC key pair is sealed in the keystore and signs after the module restarts")
    func ellipticCurveTokenKeys() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let env = scratch.environment()
        for args in [["--init-token", "--label", "ec", "--so-pin", "87654321"], ["--init-pin", "--so-pin", "87654321", "--pin", "1234"]] {
            let run = try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path] + args, environment: env)
            try #require(run.status == 0, "\(run)")
        }
        let run = try await run(["ectoken", "1234"], scratch: scratch)
        #expect(run.status == 0 && run.standardOutput.contains("OK"), "\(run)")
    }

    @Test("keystore: files 0600, private objects sealed, a wrong PIN changes nothing, a corrupted file costs only itself")
    func keystore() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let env = scratch.environment()
        for args in [["--init-token", "--label", "ks", "--so-pin", "87654321"], ["--init-pin", "--so-pin", "87654321", "--pin", "1234"]] {
            let run = try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path] + args, environment: env)
            try #require(run.status == 0, "\(run)")
        }
        let populate = try await run(["keystore", "populate", "1234"], scratch: scratch)
        #expect(populate.status == 0, "\(populate)")
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.keystore).filter { $0.hasPrefix("obj-") }
        #expect(files.count == 3)
        for name in files + ["token"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: scratch.keystore + "/" + name)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(name)")
            // Private labels never appear in clear on disk.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: scratch.keystore + "/" + name))
            #expect(bytes.range(of: Data("data1".utf8)) == nil && bytes.range(of: Data("data2".utf8)) == nil)
        }
        let before = try snapshot(scratch.keystore)
        let wrongPIN = try await run(["keystore", "wrongpin", "1234"], scratch: scratch)
        #expect(wrongPIN.status == 0 && wrongPIN.standardOutput.contains("objects before login 1, after 3"), "\(wrongPIN)")
        #expect(try snapshot(scratch.keystore) == before, "a wrong PIN changed the keystore")

        // Corrupt one sealed object: the others still load, the file stays as it was.
        let victim = try files.first { name in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: scratch.keystore + "/" + name))
            return bytes.count > 9 && bytes[8] == 1
        }!
        var bytes = try Data(contentsOf: URL(fileURLWithPath: scratch.keystore + "/" + victim))
        bytes[bytes.count - 5] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: scratch.keystore + "/" + victim))
        let count = try await run(["keystore", "count", "1234"], scratch: scratch)
        #expect(count.status == 0 && count.standardOutput.contains("objects 2"), "\(count)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.keystore + "/" + victim)) == bytes)

        // An unsealed file missing what its class needs (an RSA public key without
        // CKA_MODULUS, CKA_PUBLIC_EXPONENT) is corrupt: skipped, left as it is, never a crash.
        var incomplete = Data("CFKSOBJ1".utf8) + Data([0])
        for (type, value) in [(UInt64(0), UInt64(2)), (UInt64(0x100), UInt64(0))] {  // CKA_CLASS=CKO_PUBLIC_KEY, CKA_KEY_TYPE=CKK_RSA
            withUnsafeBytes(of: type.littleEndian) { incomplete += $0 }
            withUnsafeBytes(of: UInt32(8).littleEndian) { incomplete += $0 }
            withUnsafeBytes(of: value.littleEndian) { incomplete += $0 }
        }
        let incompletePath = scratch.keystore + "/obj-incomplete0000"
        try incomplete.write(to: URL(fileURLWithPath: incompletePath))
        let afterIncomplete = try await run(["keystore", "count", "1234"], scratch: scratch)
        #expect(afterIncomplete.status == 0 && afterIncomplete.standardOutput.contains("objects 2"), "\(afterIncomplete)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: incompletePath)) == incomplete)
        // `cryptoadm list -v` names it (cryptoadm sits beside the module in the build products).
        let cryptoadm = URL(fileURLWithPath: ModuleUnderTest.path).deletingLastPathComponent().appendingPathComponent("cryptoadm").path
        try #require(FileManager.default.fileExists(atPath: cryptoadm), "\(cryptoadm) is missing: swift build builds it")
        let listing = try await runClient(cryptoadm, ["list", "-v"], environment: env)
        #expect(listing.standardOutput.contains("obj-incomplete0000"), "\(listing)")
        try FileManager.default.removeItem(atPath: incompletePath)

        // A corrupted token record is an error, never a reset.
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: scratch.keystore + "/token"))
        let login = try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path, "--login", "--pin", "1234", "-O"], environment: env)
        #expect(login.status != 0, "\(login)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.keystore).filter { $0.hasPrefix("obj-") }.count == 3)
    }

    private func snapshot(_ directory: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
        }
        return files
    }
}
