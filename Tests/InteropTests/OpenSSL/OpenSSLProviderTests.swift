import CryptoFramework
import Foundation
import ProcessSupport
import Testing

/// OpenSSL 3's own programs on the module through pkcs11-provider (Debian's
/// bookworm-backports, 1.0; `make deps`), keys named by `pkcs11:` URIs
/// (RFC 7512), with an OPENSSL_CONF written by the test (never the machine's):
/// `pkeyutl` signs, verifies and derives, `req -x509` makes a certificate,
/// `s_server` answers TLS 1.3 and 1.2 from `s_client` and `gnutls-cli`, each
/// signature made on the token, on host and t2000. The keys are made with
/// pkcs11-tool on host (fast) in a scratch keystore that the t2000 module reads
/// as it is. t2000's providers serve no elliptic curves, so its slot lists no
/// EC mechanism: the EC cases run on host, and t2000 checks that the slot
/// indeed lists none.
@Suite("OpenSSL 3 through pkcs11-provider", .serialized)
struct OpenSSLProviderTests {
    static let provider = "/usr/lib/x86_64-linux-gnu/ossl-modules/pkcs11.so"
    static let platforms = ["host", "t2000"]

    /// A scratch token (label cf-tls) with an RSA-2048 key pair (`rsa`) and a
    /// P-256 one (`ec`), an openssl.cnf loading pkcs11-provider on the module,
    /// and a plain one (the default provider alone) for the other side.
    /// pkcs11-tool makes the keys on ``ModuleUnderTest/path``; the openssl runs
    /// through pkcs11-provider load ``providerChild``'s module: the same one,
    /// except under `make sanitize-address`, where pkcs11-provider's
    /// RTLD_DEEPBIND keeps the ASan runtime out and they load the uninstrumented
    /// build of the same sources (``SanitizerPreload/Exemption``).
    struct Token {
        let scratch: Scratch
        let platform: String
        let providerChild = ModuleUnderTest.exempt(.pkcs11ProviderDeepBind)
        var dir: String { scratch.root.path }
        var providerConf: String { dir + "/openssl-pkcs11.cnf" }
        var plainConf: String { dir + "/openssl-plain.cnf" }
        var trace: String { dir + "/trace" }
        var kstats: String { dir + "/kstat" }

        static func key(_ label: String, _ type: String) -> String { "pkcs11:token=cf-tls;object=\(label);type=\(type)" }

        init(platform: String) async throws {
            try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
            try #require(FileManager.default.fileExists(atPath: OpenSSLProviderTests.provider),
                         "pkcs11-provider is not installed: make deps installs it from bookworm-backports")
            scratch = try Scratch()
            self.platform = platform
            // pkcs11-tool links OpenSSL too: it gets the plain configuration, never the machine's.
            try """
                openssl_conf = openssl_init
                [openssl_init]
                providers = provider_sect
                [provider_sect]
                default = default_sect
                [default_sect]
                activate = 1

                """.write(toFile: plainConf, atomically: true, encoding: .utf8)
            var env = scratch.environment()
            env["OPENSSL_CONF"] = plainConf
            for args in [
                ["--init-token", "--label", "cf-tls", "--so-pin", "87654321"],
                ["--init-pin", "--so-pin", "87654321", "--pin", "123456"],
                ["--login", "--pin", "123456", "--keypairgen", "--key-type", "rsa:2048", "--id", "01", "--label", "rsa"],
                ["--login", "--pin", "123456", "--keypairgen", "--key-type", "EC:prime256v1", "--id", "02", "--label", "ec",
                 "--usage-sign", "--usage-derive"],
            ] {
                let run = try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path] + args, environment: env)
                try #require(run.status == 0, "\(run)")
            }
            try "123456\n".write(toFile: dir + "/pin", atomically: true, encoding: .utf8)
            try """
                openssl_conf = openssl_init
                [openssl_init]
                providers = provider_sect
                [provider_sect]
                default = default_sect
                pkcs11 = pkcs11_sect
                [default_sect]
                activate = 1
                [pkcs11_sect]
                module = \(OpenSSLProviderTests.provider)
                pkcs11-module-path = \(providerChild.module)
                pkcs11-module-token-pin = file:\(dir)/pin
                activate = 1

                """.write(toFile: providerConf, atomically: true, encoding: .utf8)
            try "data signed on the token\n".write(toFile: dir + "/data", atomically: true, encoding: .utf8)
            let digest = try await run(["dgst", "-sha256", "-binary", "-out", dir + "/data.sha256", dir + "/data"], onToken: false)
            try #require(digest.status == 0, "\(digest)")
        }

        func remove() { scratch.remove() }

        /// The environment of an openssl run: the module on `platform`, traced to the
        /// scratch trace file and publishing kstats there, through pkcs11-provider
        /// (`onToken`) or with the default provider alone.
        func environment(onToken: Bool) -> [String: String] {
            var env = scratch.environment(platform: platform, extra: [
                "CRYPTOFRAMEWORK_TRACE": "1", "CRYPTOFRAMEWORK_TRACE_FILE": trace, "CRYPTOFRAMEWORK_KSTAT_DIR": kstats,
            ])
            env["OPENSSL_CONF"] = onToken ? providerConf : plainConf
            env["OPENSSL_MODULES"] = nil
            env["PKCS11_PROVIDER_MODULE"] = nil
            env["PKCS11_PROVIDER_DEBUG"] = nil
            return env
        }

        func run(_ arguments: [String], onToken: Bool = true) async throws -> ChildProcess.Outcome {
            try await runClient("openssl", arguments, environment: environment(onToken: onToken),
                                preloadsSanitizerRuntime: onToken ? providerChild.preloadsRuntime : true)
        }

        /// The module's trace lines for signatures and derivations so far.
        var servedLines: [String] {
            let text = (try? String(contentsOfFile: trace, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map(String.init).filter {
                $0.contains(": C_Sign") || $0.contains(": C_DeriveKey")
            }
        }

        /// The public key of `label`, read through the provider into a PEM file.
        func exportPublicKey(_ label: String) async throws -> String {
            let path = dir + "/\(label).pub.pem"
            let run = try await run(["pkey", "-pubin", "-in", Self.key(label, "public"), "-pubout", "-out", path])
            try #require(run.status == 0, "\(run)")
            return path
        }

        /// Which providers of the module's framework in process `pid` have served how many signatures.
        func signsServed(pid: Int32) throws -> [String: Int] {
            let file = URL(fileURLWithPath: kstats).appendingPathComponent("\(pid).0.json")
            guard let data = try? Data(contentsOf: file) else { return [:] }
            let document = try JSONDecoder().decode(KstatDocument.self, from: data)
            var served: [String: Int] = [:]
            for provider in document.providers {
                // RSA signatures are counted as `sign`, EC ones as `signEC`.
                let count = (provider.stats.served["sign"] ?? 0) + (provider.stats.served["signEC"] ?? 0)
                if count > 0 { served[provider.name] = count }
            }
            return served
        }
    }

    /// On t2000 every RSA signature is composed on ncp/0 (rule 6): PKCS#1 v1.5
    /// over its CKM_RSA_PKCS, PSS over its CKM_RSA_X_509 with the encoding (and
    /// its hashes) on sparcfp. On host openssl signs.
    static func signer(platform: String, pss: Bool) -> String {
        platform == "host" ? "openssl" : "ncp/0"
    }

    /// Who serves EC on the token: openssl on host, sparcfp's software ECC on t2000.
    static func ecProvider(platform: String) -> String {
        platform == "host" ? "openssl" : "sparcfp"
    }

    @Test("openssl pkeyutl signs on the token (PKCS#1 v1.5, PSS; ECDSA: openssl on host, sparcfp on t2000) and verifies with pkcs11: URIs", arguments: platforms)
    func pkeyutlSignVerify(platform: String) async throws {
        let token = try await Token(platform: platform)
        defer { token.remove() }
        let dir = token.dir
        let rsaPublic = try await token.exportPublicKey("rsa")
        let cases: [(label: String, options: [String], pss: Bool)] = [
            ("rsa", ["-pkeyopt", "digest:sha256"], false),
            ("rsa", ["-pkeyopt", "digest:sha256", "-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:32"], true),
        ]
        for (label, options, pss) in cases {
            let before = token.servedLines.count
            let sign = try await token.run(["pkeyutl", "-sign", "-inkey", Token.key(label, "private"), "-in", dir + "/data.sha256",
                                      "-out", dir + "/sig"] + options)
            #expect(sign.status == 0, "\(sign)")
            let lines = token.servedLines.dropFirst(before)
            let mechanism = pss ? "CKM_RSA_PKCS_PSS" : "CKM_RSA_PKCS"
            #expect(lines.count == 1 && lines.first?.contains("C_Sign \(mechanism) sign by \(Self.signer(platform: platform, pss: pss))") == true,
                    "the token made no \(mechanism) signature: \(lines)")
            if platform == "t2000" && pss {
                // ncp/0 has no PSS: the encoding is sparcfp's, the private operation ncp/0's CKM_RSA_X_509 (rule 6).
                #expect(lines.first?.contains("(composed: CKM_RSA_X_509 by ncp/0, CKM_SHA256 by sparcfp)") == true, "\(lines)")
            }
            // The other side: OpenSSL's default provider with the exported public key, then the token's public key by URI.
            let verify = try await token.run(["pkeyutl", "-verify", "-pubin", "-inkey", rsaPublic, "-in", dir + "/data.sha256",
                                        "-sigfile", dir + "/sig"] + options, onToken: false)
            #expect(verify.status == 0 && verify.standardOutput.contains("Signature Verified Successfully"), "\(verify)")
            let byURI = try await token.run(["pkeyutl", "-verify", "-pubin", "-inkey", Token.key(label, "public"), "-in", dir + "/data.sha256",
                                       "-sigfile", dir + "/sig"] + options)
            #expect(byURI.status == 0 && byURI.standardOutput.contains("Signature Verified Successfully"), "\(byURI)")
            // A signature of other data does not verify.
            try Data(repeating: 0x5a, count: 32).write(to: URL(fileURLWithPath: dir + "/other.sha256"))
            let wrong = try await token.run(["pkeyutl", "-verify", "-pubin", "-inkey", rsaPublic, "-in", dir + "/other.sha256",
                                       "-sigfile", dir + "/sig"] + options, onToken: false)
            #expect(wrong.status != 0 && wrong.standardOutput.contains("Signature Verification Failure"), "\(wrong)")
        }
        // ECDSA: openssl on host; on t2000 sparcfp's software ECC (the T1's MAU did no ECC).
        let ecPublic = try await token.exportPublicKey("ec")
        let sign = try await token.run(["pkeyutl", "-sign", "-inkey", Token.key("ec", "private"), "-in", dir + "/data.sha256", "-out", dir + "/ecsig"])
        #expect(sign.status == 0, "\(sign)")
        let verify = try await token.run(["pkeyutl", "-verify", "-pubin", "-inkey", ecPublic, "-in", dir + "/data.sha256", "-sigfile", dir + "/ecsig"], onToken: false)
        #expect(verify.status == 0 && verify.standardOutput.contains("Signature Verified Successfully"), "\(verify)")
        #expect(token.servedLines.contains { $0.contains("C_Sign CKM_ECDSA sign by \(Self.ecProvider(platform: platform))") }, "\(token.servedLines)")
    }

    @Test("openssl pkeyutl -derive: ECDH P-256 with the token's key equals the peer's own derivation", arguments: platforms)
    func pkeyutlDerive(platform: String) async throws {
        let token = try await Token(platform: platform)
        defer { token.remove() }
        let dir = token.dir
        let tokenPublic = try await token.exportPublicKey("ec")
        for args in [["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", dir + "/peer.pem"],
                     ["pkey", "-in", dir + "/peer.pem", "-pubout", "-out", dir + "/peer.pub.pem"]] {
            let run = try await token.run(args, onToken: false)
            try #require(run.status == 0, "\(run)")
        }
        let onToken = try await token.run(["pkeyutl", "-derive", "-inkey", Token.key("ec", "private"), "-peerkey", dir + "/peer.pub.pem", "-out", dir + "/z.token"])
        #expect(onToken.status == 0, "\(onToken)")
        let peer = try await token.run(["pkeyutl", "-derive", "-inkey", dir + "/peer.pem", "-peerkey", tokenPublic, "-out", dir + "/z.peer"], onToken: false)
        #expect(peer.status == 0, "\(peer)")
        let z = try Data(contentsOf: URL(fileURLWithPath: dir + "/z.token"))
        let zPeer = try Data(contentsOf: URL(fileURLWithPath: dir + "/z.peer"))
        #expect(z.count == 32 && z == zPeer)
        #expect(token.servedLines.contains { $0.contains("C_DeriveKey CKM_ECDH1_DERIVE derive by \(Self.ecProvider(platform: platform))") }, "\(token.servedLines)")
    }

    /// A self-signed certificate for 127.0.0.1 made by `openssl req -x509` with the token's key `label`.
    static func certificate(_ token: Token, _ label: String) async throws -> String {
        let path = token.dir + "/\(label).crt"
        let req = try await token.run(["req", "-x509", "-new", "-key", Token.key(label, "private"), "-subj", "/CN=localhost",
                                 "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2", "-sha256", "-out", path])
        try #require(req.status == 0, "\(req)")
        return path
    }

    @Test("openssl req -x509 with the token's key: the certificate verifies and carries the token's public key", arguments: platforms)
    func reqX509(platform: String) async throws {
        let token = try await Token(platform: platform)
        defer { token.remove() }
        for label in ["rsa", "ec"] {
            let before = token.servedLines.count
            let certificate = try await Self.certificate(token, label)
            #expect(token.servedLines.count == before + 1, "\(token.servedLines)")
            let verify = try await token.run(["verify", "-CAfile", certificate, certificate], onToken: false)
            #expect(verify.status == 0 && verify.standardOutput.contains(": OK"), "\(verify)")
            let inCertificate = try await token.run(["x509", "-in", certificate, "-noout", "-pubkey"], onToken: false)
            let onToken = try String(contentsOfFile: try await token.exportPublicKey(label), encoding: .utf8)
            #expect(inCertificate.status == 0 && inCertificate.standardOutput == onToken, "\(inCertificate)")
        }
    }

    /// One TLS client run against the server on `port`.
    struct Client: CustomStringConvertible, Sendable {
        let name: String
        let executable: String
        let arguments: @Sendable (_ port: Int, _ ca: String) -> [String]
        /// What its output says of a completed handshake.
        let completed: String
        /// Whether the server signs with PSS for it (an RSA key).
        let pss: Bool
        var description: String { name }
    }

    static let clients = [
        Client(name: "s_client TLS 1.3", executable: "openssl",
               arguments: { ["s_client", "-connect", "127.0.0.1:\($0)", "-tls1_3", "-CAfile", $1, "-verify_return_error", "-verify_ip", "127.0.0.1"] },
               completed: "Verify return code: 0 (ok)", pss: true),
        Client(name: "s_client TLS 1.2", executable: "openssl",
               arguments: { ["s_client", "-connect", "127.0.0.1:\($0)", "-tls1_2", "-CAfile", $1, "-verify_return_error", "-verify_ip", "127.0.0.1"] },
               completed: "Verify return code: 0 (ok)", pss: true),
        Client(name: "gnutls-cli TLS 1.3", executable: "gnutls-cli",
               arguments: { ["--x509cafile", $1, "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3", "-p", "\($0)", "127.0.0.1"] },
               completed: "Handshake was completed", pss: true),
        // GnuTLS offers rsa_pkcs1_sha256 first in TLS 1.2: PKCS#1 v1.5.
        Client(name: "gnutls-cli TLS 1.2", executable: "gnutls-cli",
               arguments: { ["--x509cafile", $1, "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2", "-p", "\($0)", "127.0.0.1"] },
               completed: "Handshake was completed", pss: false),
    ]

    /// `openssl s_server` with the token's key `label` on a free loopback port; ended by its pid.
    static func server(_ token: Token, _ label: String, certificate: String) async throws -> (ChildProcess, Int) {
        for _ in 0..<5 {
            let port = 20_000 + Int.random(in: 0..<20_000)
            var command = Command("/usr/bin/openssl", ["s_server", "-accept", "127.0.0.1:\(port)", "-key", Token.key(label, "private"),
                                                        "-cert", certificate, "-www"])
            command.environment = token.environment(onToken: true)
            command.preloadsSanitizerRuntime = token.providerChild.preloadsRuntime
            let server = try ChildProcess(command)
            // Bounded for a stuck start, not a speed claim.
            let ready = try await Polling.until(timeout: 60, interval: 0.02) { server.standardOutput.contains("ACCEPT") || !server.isRunning }
            if ready && server.isRunning { return (server, port) }
            _ = server.terminate()
            if !server.standardOutput.contains("ddress already in use") {
                Issue.record("s_server did not start: \(server.standardOutput)")
                throw ChildProcess.Failure(description: "s_server did not start")
            }
        }
        throw ChildProcess.Failure(description: "no free loopback port for s_server in 5 tries")
    }

    @Test("openssl s_server with the token's key answers TLS 1.3 and 1.2 from s_client and gnutls-cli; the kstats name who signed each",
          arguments: [("host", "rsa"), ("host", "ec"), ("t2000", "rsa"), ("t2000", "ec")])
    func sServer(platform: String, label: String) async throws {
        let token = try await Token(platform: platform)
        defer { token.remove() }
        let certificate = try await Self.certificate(token, label)
        let (server, port) = try await Self.server(token, label, certificate: certificate)
        defer { _ = server.terminate() }
        var expected: [String: Int] = [:]
        for client in Self.clients {
            let before = token.servedLines.count
            var env = token.environment(onToken: false)
            env["CRYPTOFRAMEWORK_KSTAT_DIR"] = nil
            let run = try await runClient(client.executable, client.arguments(port, certificate), environment: env)
            #expect(run.status == 0 && run.standardOutput.contains(client.completed), "\(client): \(run)")
            // One signature per handshake, on the token, of the kind the protocol asks for.
            let lines = Array(token.servedLines.dropFirst(before))
            let mechanism = label == "ec" ? "CKM_ECDSA_SHA256" : client.pss ? "CKM_SHA256_RSA_PKCS_PSS" : "CKM_SHA256_RSA_PKCS"
            let signer = label == "ec" ? Self.ecProvider(platform: platform) : Self.signer(platform: platform, pss: client.pss)
            #expect(lines.count == 1 && lines[0].contains("C_SignFinal \(mechanism) sign by \(signer)"), "\(client): \(lines)")
            if platform == "t2000" && label == "rsa" {
                // A streamed PSS sign hashes the message in software, then signs the digest with
                // CKM_RSA_PKCS_PSS, which ncp/0 serves composed on its CKM_RSA_X_509 (rule 6).
                let raw = client.pss ? "CKM_RSA_PKCS_PSS" : "CKM_RSA_PKCS"
                #expect(lines.first?.contains("(composed: \(raw) by ncp/0, CKM_SHA256 by sparcfp)") == true, "\(client): \(lines)")
            }
            expected[signer, default: 0] += 1
            // The module publishes its counters within 0.1 s of the last change: poll, bounded generously.
            let published = try await Polling.until(timeout: 30, interval: 0.05) { (try? token.signsServed(pid: server.pid)) == expected }
            #expect(published, "\(client): kstats of s_server (pid \(server.pid)) say \((try? token.signsServed(pid: server.pid)) ?? [:]), expected \(expected)")
        }
        #expect(server.isRunning, "\(server.standardOutput)")
    }
}
