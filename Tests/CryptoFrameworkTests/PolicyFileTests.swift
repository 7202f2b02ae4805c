import TestSupport
import Testing
@testable import CryptoFramework

@Suite("kcf.conf parsing and writing")
struct PolicyFileTests {
    static let designExample = """
        # comment
        ncp/0:disabledlist=CKM_RSA_PKCS,CKM_RSA_X_509,CKM_DH_PKCS_KEY_PAIR_GEN,CKM_DH_PKCS_DERIVE,random
        sparcfp:unload
        gmp:disabledlist=CKM_DH_PKCS_DERIVE
        /usr/lib/softhsm/libsofthsm2.so:disabledlist=CKM_RSA_PKCS_PSS
        """

    @Test func parsesTheDesignExample() throws {
        let policy = try Policy(kcfConf: Self.designExample)
        #expect(policy.providerNames == ["ncp/0", "sparcfp", "gmp", "/usr/lib/softhsm/libsofthsm2.so"])
        #expect(policy[provider: "ncp/0"].disabled == [.rsaPKCS, .rsaX509, .dhPKCSKeyPairGen, .dhPKCSDerive, .random])
        #expect(!policy[provider: "ncp/0"].unloaded)
        #expect(policy[provider: "sparcfp"] == ProviderPolicy(unloaded: true))
        #expect(policy[provider: "gmp"].disabled == [.dhPKCSDerive])
        #expect(policy[provider: "/usr/lib/softhsm/libsofthsm2.so"].disabled == [.rsaPKCSPSS])
        #expect(policy.allows(provider: "ncp/0", mechanism: .sha256RSAPKCS))
        #expect(!policy.allows(provider: "ncp/0", mechanism: .random))
        #expect(!policy.isActive(provider: "sparcfp"))
        #expect(policy.allows(provider: "openssl", mechanism: .rsaPKCS))
    }

    @Test func emptyAndCommentOnlyFilesAreTheEmptyPolicy() throws {
        #expect(try Policy(kcfConf: "") == Policy())
        #expect(try Policy(kcfConf: "\n\n  \t\n# nothing here\n   # indented comment\n") == Policy())
        #expect(try Policy(kcfConf: Policy().kcfConfText) == Policy())
    }

    @Test func toleratesWhitespaceCommentsAndCRLF() throws {
        let text = "  gmp \t: disabledlist = CKM_SHA256 , random ; unload   # trailing comment\r\n"
            + "\tncp/12:disabledlist=CKM_RSA_PKCS# no space before the comment\r\n"
            + "/opt/vendor_lib/x.so.3:disabledlist=CKM_AES_CBC\n"
        let policy = try Policy(kcfConf: text)
        #expect(policy[provider: "gmp"] == ProviderPolicy(disabled: [.sha256, .random], unloaded: true))
        #expect(policy[provider: "ncp/12"].disabled == [.rsaPKCS])
        #expect(policy[provider: "/opt/vendor_lib/x.so.3"].disabled == [.aesCBC])
    }

    @Test func writesEntriesInOrderWithMechanismsByValueAndRandomLast() throws {
        var policy = Policy()
        policy.disable(provider: "ncp/0", mechanisms: [.random, .dhPKCSDerive, .rsaPKCS, .sha256RSAPKCS])
        policy.setUnloaded(true, provider: "sparcfp")
        policy.disable(provider: "sparcfp", mechanisms: [.aesCBC, .rsaX509])
        policy.disable(provider: "openssl", mechanisms: [.sha1])
        policy.enable(provider: "openssl", mechanisms: [.sha1])  // back to default: not written
        let text = policy.kcfConfText
        let entries = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(entries == [
            "ncp/0:disabledlist=CKM_RSA_PKCS,CKM_DH_PKCS_DERIVE,CKM_SHA256_RSA_PKCS,random",
            "sparcfp:disabledlist=CKM_RSA_X_509,CKM_AES_CBC;unload",
        ])
        #expect(text.hasPrefix("# "))
        #expect(try Policy(kcfConf: text) == policy)
    }

    @Test func moduleLinesInstallAndCarryTokenOptions() throws {
        let text = "/usr/lib/softhsm/libsofthsm2.so:\n/opt/x.so.1 : disabledlist=CKM_RSA_PKCS ; pinfile=/etc/x.pin;slot=3;token=test-1\n"
        let policy = try Policy(kcfConf: text)
        #expect(policy.installedModules == ["/usr/lib/softhsm/libsofthsm2.so", "/opt/x.so.1"])
        #expect(policy.isInstalled(module: "/usr/lib/softhsm/libsofthsm2.so"))
        #expect(policy[provider: "/opt/x.so.1"]
                == ProviderPolicy(disabled: [.rsaPKCS], pinFile: "/etc/x.pin", slot: 3, tokenLabel: "test-1"))
        // A module with everything enabled stays installed: its bare line is written and kept.
        var copy = policy
        copy.enable(provider: "/opt/x.so.1", mechanisms: [.rsaPKCS])
        copy.removeDefaultEntries()
        #expect(copy.installedModules.count == 2)
        let lines = copy.kcfConfText.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines == ["/usr/lib/softhsm/libsofthsm2.so:", "/opt/x.so.1:pinfile=/etc/x.pin;slot=3;token=test-1"])
        copy.removeEntry(provider: "/usr/lib/softhsm/libsofthsm2.so")
        #expect(!copy.isInstalled(module: "/usr/lib/softhsm/libsofthsm2.so"))
    }

    @Test func richPolicyRoundTrips() throws {
        var policy = Policy()
        policy.disable(provider: "/usr/lib/softhsm/libsofthsm2.so", mechanisms: Mechanism.catalog)
        policy.disable(provider: "ncp/0", mechanisms: [.rsaPKCS, .rsaX509, .dhPKCSKeyPairGen, .dhPKCSDerive, .random])
        policy.disable(provider: "n2cp/31", mechanisms: [.random])
        policy.setUnloaded(true, provider: "sparcfp")
        policy.disable(provider: "gmp", mechanisms: [.dhPKCSDerive])
        policy.setUnloaded(true, provider: "gmp")
        policy.disable(provider: "my_provider-2.0", mechanisms: Mechanism.catalog.filter { $0.value % 2 == 0 })
        policy.disable(provider: "/opt/pkcs11/libvendor.so.12", mechanisms: [.sha512HMAC, .rsaPKCSKeyPairGen])
        let text = policy.kcfConfText
        let reread = try Policy(kcfConf: text)
        #expect(reread == policy)
        #expect(reread.providerNames == policy.providerNames)
        #expect(reread.kcfConfText == text)
    }

    struct Malformed: CustomTestStringConvertible, Sendable {
        let bytes: [UInt8]
        let position: String
        let says: String
        let testDescription: String

        init(_ text: String, _ position: String, _ says: String) {
            self.init(bytes: Array(text.utf8), position, says, label: text)
        }
        init(bytes: [UInt8], _ position: String, _ says: String, label: String) {
            self.bytes = bytes
            self.position = position
            self.says = says
            self.testDescription = label.count > 60 ? String(label.prefix(60)) + "…" : label
        }
    }

    static let malformed: [Malformed] = [
        .init("# c\ngmp disabledlist=CKM_RSA_PKCS\n", "2:5", "expected ':' after provider name 'gmp'"),
        .init("gmp\n", "1:4", "expected ':'"),
        .init(":unload", "1:1", "empty provider name"),
        .init("\n  : disabledlist=random", "2:3", "empty provider name"),
        .init("GMP:unload", "1:1", "invalid character 'G' in provider name"),
        .init("gm!p:unload", "1:3", "invalid character '!'"),
        .init("ncp/x:disabledlist=random", "1:5", "instance number"),
        .init("ncp/:disabledlist=random", "1:5", "no instance number"),
        .init("/ncp:disabledlist=random", "1:1", "shared library"),
        .init("/usr/lib/libfoo.dylib:disabledlist=random", "1:1", "shared library"),
        .init("/usr/lib/libfoo.so.x:disabledlist=random", "1:1", "shared library"),
        .init("gmp:enable", "1:5", "unknown option 'enable'"),
        .init("  gmp : disabled=CKM_RSA_PKCS", "1:9", "unknown option 'disabled'"),
        .init("gmp:", "1:5", "expected an option"),
        .init("gmp:disabledlist=CKM_SHA256;", "1:29", "expected an option"),
        .init("gmp:disabledlist CKM_SHA256", "1:18", "expected '=' after 'disabledlist'"),
        .init("gmp:disabledlist=", "1:18", "empty disabledlist"),
        .init("gmp:disabledlist= ;unload", "1:19", "empty disabledlist"),
        .init("gmp:disabledlist=  # nothing", "1:20", "empty disabledlist"),
        .init("gmp:disabledlist=CKM_SHA256,,random", "1:29", "missing mechanism name"),
        .init("gmp:disabledlist=CKM_SHA256,", "1:29", "missing mechanism name"),
        .init("gmp:disabledlist=CKM_RSA_PKCS,CKM_NOPE", "1:31", "unknown mechanism 'CKM_NOPE'"),
        .init("gmp:disabledlist=ckm_rsa_pkcs", "1:18", "unknown mechanism 'ckm_rsa_pkcs'"),
        .init("gmp:disabledlist=random,CKM_SHA256,random", "1:36", "mechanism 'random' listed twice"),
        .init("gmp:disabledlist=random;disabledlist=CKM_SHA256", "1:25", "'disabledlist' given twice"),
        .init("gmp:unload;unload", "1:12", "'unload' given twice"),
        .init("gmp:unload\n\ngmp:disabledlist=random", "3:1", "provider 'gmp' already has an entry on line 1"),
        .init("ncp/0:unload", "1:7", "'ncp/0' is a hardware provider"),
        .init("ncp/0:disabledlist=random;unload", "1:27", "only to software providers"),
        .init("/usr/lib/softhsm/libsofthsm2.so:unload", "1:33", "is a PKCS#11 module"),
        .init("/l.so:pinfile=relative/pin", "1:15", "pinfile must be an absolute path"),
        .init("/l.so:pinfile=", "1:15", "pinfile must be an absolute path"),
        .init("/l.so:slot=x", "1:12", "expected a slot number"),
        .init("/l.so:slot=1;slot=2", "1:14", "'slot' given twice"),
        .init("/l.so:token=", "1:13", "expected a token label"),
        .init("/l.so:token=" + String(repeating: "t", count: 33), "1:13", "longer than 32 bytes"),
        .init("/l.so:pin=1234", "1:7", "unknown option 'pin'"),
        .init("/l.so:;", "1:7", "expected an option"),
        .init("gmp:pinfile=/etc/pin", "1:5", "applies only to PKCS#11 modules"),
        .init("ncp/0:slot=1", "1:7", "applies only to PKCS#11 modules"),
        .init("gmp:unload x", "1:12", "unexpected character 'x'"),
        .init("gmp:disabledlist=CKM_SHA256 random", "1:29", "unexpected character 'r'"),
        .init("gmp:un\u{0}load", "1:7", "NUL byte"),
        .init("# é\ngmp:disabledlist=CKM_SHA256\u{0}", "2:28", "NUL byte"),
        .init("gmp:disabledlist=CKM_SHA256\u{1}", "1:28", "unexpected character U+0001"),
        .init("gmp:disabledlist=CKM_SHA256é", "1:28", "unexpected character U+00E9"),
        .init(bytes: Array("gmp:unload # caf".utf8) + [0xC3, 0x28], "1:17", "invalid UTF-8 byte 0xC3", label: "truncated UTF-8 sequence"),
        .init(bytes: Array("# é".utf8) + [0xFF], "1:4", "invalid UTF-8 byte 0xFF", label: "0xFF after é"),
        .init(bytes: Array("gmp:unload\n".utf8) + [0xED, 0xA0, 0x80], "2:1", "invalid UTF-8", label: "encoded surrogate"),
        .init(bytes: Array("gmp:unload\n# x".utf8) + [0xC0, 0xAF], "2:4", "invalid UTF-8", label: "overlong encoding"),
        .init("gmp:unload\n# " + String(repeating: "a", count: 70_000), "2:65537", "over the limit of 65536 bytes"),
        .init(String(repeating: "#" + String(repeating: "x", count: 1022) + "\n", count: 1025),
              "1025:1", "file is over the limit of 1048576 bytes"),
    ]

    @Test(arguments: malformed)
    func malformedInputNamesLineAndColumn(_ input: Malformed) {
        do {
            let policy = try Policy(kcfConfBytes: input.bytes)
            Issue.record("parsed, expected an error at \(input.position): \(policy)")
        } catch let error as CryptoError {
            #expect(error.code == .policyInvalid)
            #expect(error.message.hasPrefix("kcf.conf:\(input.position): "), "\(error.message)")
            #expect(error.message.contains(input.says), "\(error.message)")
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    @Test func errorsUseTheGivenFileName() {
        #expect {
            try Policy(kcfConf: "\n\nbogus", fileName: "/etc/cryptoframework/kcf.conf")
        } throws: { error in
            (error as? CryptoError)?.message.hasPrefix("/etc/cryptoframework/kcf.conf:3:6: ") == true
        }
    }

    @Test func fileOfExactlyTheLimitsParses() throws {
        let line = "#" + String(repeating: "y", count: KCFConfLimits.maxLineBytes - 1)
        #expect(try Policy(kcfConf: line + "\ngmp:unload") == Policy(kcfConf: "gmp:unload"))
        let block = "#" + String(repeating: "x", count: 1022) + "\n"
        let full = String(repeating: block, count: 1024)
        #expect(full.utf8.count == KCFConfLimits.maxFileBytes)
        #expect(try Policy(kcfConf: full) == Policy())
    }

    // MARK: Property test

    /// 100,000 generated inputs, reproducible from the seed: valid files (which
    /// must parse to the policy they were generated from), truncations, byte
    /// mutations and random binary. Parsing never crashes; it succeeds or throws
    /// `.policyInvalid` with `kcf.conf:LINE:COL:`; whatever parses round-trips.
    @Test func generatedInputsParseOrFailCleanly() {
        var rng = SplitMix64(seed: 0x6B63_662E_636F_6E66)
        var parsed = 0, rejected = 0, failures: [String] = []
        for iteration in 0..<100_000 {
            let bytes: [UInt8]
            var expected: Policy?
            let (validBytes, model) = KCFConfGenerator.validFile(&rng)
            switch rng.next() % 100 {
            case 0..<30:
                bytes = validBytes
                expected = model
            case 30..<45:
                bytes = Array(validBytes.prefix(Int(rng.next() % UInt64(validBytes.count + 1))))
            case 45..<80:
                bytes = KCFConfGenerator.mutate(validBytes, &rng)
            default:
                bytes = KCFConfGenerator.binary(&rng)
            }
            if let problem = Self.check(bytes, expected: expected, parsed: &parsed, rejected: &rejected) {
                failures.append("iteration \(iteration): \(problem); input \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                if failures.count >= 5 { break }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        // The generator must exercise both outcomes in bulk, or the test proves little.
        #expect(parsed > 30_000 && rejected > 30_000, "parsed \(parsed), rejected \(rejected)")
    }

    /// Nil when `bytes` behaves; else what went wrong.
    static func check(_ bytes: [UInt8], expected: Policy?, parsed: inout Int, rejected: inout Int) -> String? {
        do {
            let policy = try Policy(kcfConfBytes: bytes)
            parsed += 1
            if let expected, policy != expected { return "parsed \(policy), generated \(expected)" }
            let text = policy.kcfConfText
            let again = try Policy(kcfConf: text)
            if again != policy || again.kcfConfText != text { return "round trip changed \(policy) to \(again)" }
            return nil
        } catch let error as CryptoError {
            rejected += 1
            if expected != nil { return "valid input rejected: \(error)" }
            guard error.code == .policyInvalid else { return "wrong code \(error)" }
            guard let (line, column) = errorPosition(error.message) else { return "no kcf.conf:LINE:COL: in \(error.message)" }
            let lines = 1 + bytes.lazy.filter { $0 == UInt8(ascii: "\n") }.count
            if line > lines || column < 1 { return "position \(line):\(column) outside input of \(lines) lines" }
            return nil
        } catch {
            return "unexpected error \(error)"
        }
    }

    /// (line, column) from a message starting `kcf.conf:LINE:COL: `.
    static func errorPosition(_ message: String) -> (Int, Int)? {
        let prefix = "kcf.conf:"
        guard message.hasPrefix(prefix) else { return nil }
        let fields = message.dropFirst(prefix.count).split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, fields[2].hasPrefix(" "), fields[2].count > 1,
              fields[0].allSatisfy(\.isASCII), fields[1].allSatisfy(\.isASCII),
              let line = Int(fields[0]), let column = Int(fields[1]), line >= 1
        else { return nil }
        return (line, column)
    }
}

/// Inputs for the property test.
enum KCFConfGenerator {
    static let software = ["openssl", "gmp", "sodium", "sparcfp", "my_prov-2.0", "x"]
    static let hardware = ["ncp/0", "ncp/1", "n2cp/12", "dca/007"]
    static let modules = ["/usr/lib/softhsm/libsofthsm2.so", "/opt/é/libp11.so.2", "/l.so"]
    static let interesting: [UInt8] = Array(":;,=#/ \t\r\n.".utf8) + [0, 0x01, 0x7F, 0x80, 0xC3, 0xA9, 0xFF, 0xED]

    static func pick<T>(_ items: [T], _ rng: inout SplitMix64) -> T {
        items[Int(rng.next() % UInt64(items.count))]
    }

    static func space(_ rng: inout SplitMix64) -> String {
        switch rng.next() % 8 { case 0: " "; case 1: "\t"; case 2: "  "; default: "" }
    }

    /// A well-formed file and the policy it states.
    static func validFile(_ rng: inout SplitMix64) -> ([UInt8], Policy) {
        var policy = Policy()
        var text = ""
        let names = (software + hardware + modules).shuffled(using: &rng).prefix(Int(rng.next() % 7))
        let newline = rng.next() % 5 == 0 ? "\r\n" : "\n"
        for name in names {
            if rng.next() % 3 == 0 { text += pick(["", "# comment", "  # c: d;e=f", "#"], &rng) + newline }
            var entry = ProviderPolicy()
            var options: [String] = []
            let canUnload = ProviderKind(providerName: name) == .software
            let isModule = ProviderKind(providerName: name) == .pkcs11Module
            // A module's line may be bare (installed, everything enabled) or carry module options.
            if isModule && rng.next() % 4 == 0 {
            } else if !canUnload || rng.next() % 3 != 0 {
                let mechanisms = Array(Mechanism.catalog.shuffled(using: &rng).prefix(1 + Int(rng.next() % 5)))
                entry.disabled = Set(mechanisms)
                let list = mechanisms.map(\.name).joined(separator: space(&rng) + "," + space(&rng))
                options.append("disabledlist" + space(&rng) + "=" + space(&rng) + list)
            }
            if canUnload && (options.isEmpty || rng.next() % 3 == 0) {
                entry.unloaded = true
                options.append("unload")
            }
            if isModule {
                if rng.next() % 2 == 0 {
                    entry.pinFile = pick(["/etc/pin", "/tmp/é/t.pin", "/a/b:c=d"], &rng)
                    options.append("pinfile" + space(&rng) + "=" + space(&rng) + entry.pinFile!)
                }
                if rng.next() % 3 == 0 {
                    entry.slot = Int(rng.next() % 1_000_000)
                    options.append("slot=" + space(&rng) + String(entry.slot!))
                }
                if rng.next() % 3 == 0 {
                    entry.tokenLabel = pick(["test", "My_Token-1.0", "A"], &rng)
                    options.append("token" + space(&rng) + "=" + entry.tokenLabel!)
                }
                options.shuffle(using: &rng)
            }
            if rng.next() % 2 == 0 { options.reverse() }
            policy[provider: name] = entry
            text += space(&rng) + name + space(&rng) + ":" + space(&rng)
                + options.joined(separator: space(&rng) + ";" + space(&rng)) + space(&rng)
            if rng.next() % 4 == 0 { text += "# why" }
            text += newline
        }
        if rng.next() % 2 == 0, text.hasSuffix(newline) { text.removeLast() }
        return (Array(text.utf8), policy)
    }

    /// One to four edits: overwrite, insert, delete, or repeat a span.
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...(rng.next() % 4) {
            let at = Int(rng.next() % UInt64(bytes.count + 1))
            let byte = rng.next() % 2 == 0 ? pick(interesting, &rng) : UInt8(truncatingIfNeeded: rng.next())
            switch rng.next() % 4 {
            case 0 where at < bytes.count: bytes[at] = byte
            case 1: bytes.insert(byte, at: at)
            case 2 where at < bytes.count: bytes.remove(at: at)
            default:
                let end = min(bytes.count, at + Int(rng.next() % 40))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            }
        }
        return bytes
    }

    static func binary(_ rng: inout SplitMix64) -> [UInt8] {
        let fromAlphabet = rng.next() % 2 == 0
        let alphabet = interesting + Array("abcdegklmnoprsuCKM_SHA256".utf8)
        return (0..<Int(rng.next() % 120)).map { _ in
            fromAlphabet ? pick(alphabet, &rng) : UInt8(truncatingIfNeeded: rng.next())
        }
    }
}
