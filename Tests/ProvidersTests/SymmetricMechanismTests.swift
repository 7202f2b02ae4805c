import CryptoFramework
import Foundation
import Providers
import TestSupport
import Testing

/// Block-cipher modes, digests and HMACs on every provider that serves them
/// (openssl on host; sparcfp on t2000, which computes on libcrypto and
/// charges T1 cycles; n2cp/0 and sparcfp on t5220; SoftHSM2 2.6.1 as a PKCS#11
/// provider, one request at a time, within its key sizes), in one request and as streams cut at uneven places,
/// against published vectors: SP 800-38A (ECB, CTR), Wycheproof aes_gcm
/// (SP 800-38D), RFC 4231 (HMAC-SHA-2), RFC 2202 (HMAC-SHA-1), RFC 1321 (MD5).
@Suite("Symmetric mechanisms: vectors on every serving provider")
struct SymmetricMechanismTests {
    static let host = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))
    static let t2000 = try! CryptoFramework(platform: .t2000, policy: .inMemory(Policy()))
    /// The T2 machine: n2cp/0 serves CBC, CTR, SHA and HMAC, streamed on
    /// libcrypto's contexts one job per Update.
    static let t5220 = try! CryptoFramework(platform: .t5220, policy: .inMemory(Policy()))

    /// SoftHSM2 installed on host (a failure to set it up is recorded, never skipped).
    static let softHSM: CryptoFramework? = {
        do { return try SoftHSMToken.framework() } catch {
            Issue.record("SoftHSM2: \(error)")
            return nil
        }
    }()

    /// Every provider of both platforms, and SoftHSM2, that lists `mechanism`
    /// with `flag` for a key of `keyBits`, pinned.
    static func serving(_ mechanism: Mechanism, _ flag: MechanismFlags, keyBits: Int? = nil) -> [(String, CryptoFramework)] {
        let builtIn = [host, t2000, t5220].flatMap { framework in
            framework.providers.filter { $0.info(for: mechanism)?.flags.contains(flag) == true && $0.info(for: mechanism)?.accepts(keyBits: keyBits) == true }.map {
                ("\(framework.platform.name)/\(($0.name))", try! framework.pinned(to: $0.name))
            }
        }
        guard let softHSM, let info = softHSM.providers.first(where: { $0.name == SoftHSMToken.modulePath })?.info(for: mechanism),
            info.flags.contains(flag), info.accepts(keyBits: keyBits)
        else { return builtIn }
        return builtIn + [("softhsm2", try! softHSM.pinned(to: SoftHSMToken.modulePath))]
    }

    /// Whether SoftHSM2 lists `mechanism` with `flag`.
    static func servesSoftHSM(_ mechanism: Mechanism, _ flag: MechanismFlags) -> Bool {
        softHSM?.providers.first(where: { $0.name == SoftHSMToken.modulePath })?.info(for: mechanism)?.flags.contains(flag) == true
    }

    /// `data` through a stream in parts cut at `cuts` (offsets), returning what Update and Finish gave.
    static func streamed(_ framework: CryptoFramework, _ request: StreamRequest, _ data: [UInt8], cuts: [Int]) throws -> [UInt8] {
        let stream = try framework.beginStream(request)
        var out: [UInt8] = []
        var start = 0
        for end in cuts + [data.count] where end >= start {
            let part = Array(data[start..<min(end, data.count)])
            #expect(stream.updateOutputLength(part.count) >= 0)
            let predicted = stream.updateOutputLength(part.count)
            let got = try stream.update(part)
            #expect(got.count == predicted, "Update gave \(got.count) bytes, predicted \(predicted)")
            out += got
            start = min(end, data.count)
        }
        let predicted = stream.finalOutputLength
        let last = try stream.finish().value
        #expect(last.count == predicted, "Finish gave \(last.count) bytes, predicted \(predicted)")
        return out + last
    }

    // MARK: Digests and HMAC

    static let md5Vectors: [(String, String)] = [  // RFC 1321 §A.5
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
    ]

    @Test("MD5: RFC 1321 test suite, one request and streamed")
    func md5() throws {
        let providers = Self.serving(.md5, .digest)
        #expect(providers.map(\.0).contains("t2000/sparcfp"))
        #expect(providers.map(\.0).contains("host/openssl"))
        for (name, framework) in providers {
            for (text, expected) in Self.md5Vectors {
                let data = Array(text.utf8)
                #expect(try framework.digest(.md5, data: data).hex == expected, "\(name) MD5(\(text))")
                #expect(try Self.streamed(framework, .digest(.md5), data, cuts: [1, 3, 7]).hex == expected, "\(name) streamed MD5(\(text))")
            }
        }
    }

    /// RFC 4231 test cases 1 and 2 (SHA-2), RFC 2202 cases 1 and 2 (SHA-1).
    static let hmacVectors: [(Mechanism, String, String, String)] = [
        (.sha224HMAC, String(repeating: "0b", count: 20), "Hi There", "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22"),
        (.sha256HMAC, String(repeating: "0b", count: 20), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (.sha384HMAC, "4a656665", "what do ya want for nothing?",
         "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"),
        (.sha512HMAC, "4a656665", "what do ya want for nothing?",
         "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
        (.sha1HMAC, String(repeating: "0b", count: 20), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"),
        (.sha1HMAC, "4a656665", "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
    ]

    @Test("HMAC: RFC 4231 and RFC 2202 on every serving provider, one request and streamed")
    func hmac() throws {
        for (mechanism, keyHex, text, expected) in Self.hmacVectors {
            let key = SecureBytes(try [UInt8](hex: keyHex))
            let providers = Self.serving(mechanism, .sign, keyBits: key.count * 8)
            #expect(!providers.isEmpty)
            let data = Array(text.utf8)
            for (name, framework) in providers {
                #expect(try framework.mac(mechanism, key: key, data: SecureBytes(data)).bytes.hex == expected, "\(name) \(mechanism)")
                #expect(try Self.streamed(framework, .mac(mechanism, key: key), data, cuts: [0, 2, 5]).hex == expected, "\(name) streamed \(mechanism)")
            }
        }
    }

    @Test("t2000 offers the digests a Solaris 10 T2000 did: MD5, SHA-1, SHA-256, SHA-384, SHA-512 and their HMACs, charged in T1 cycles")
    func t2000Digests() throws {
        let sparcfp = try Self.t2000.pinned(to: "sparcfp")
        let data = [UInt8](repeating: 0x61, count: 1000)
        for hash in [DigestAlgorithm.md5, .sha1, .sha256, .sha384, .sha512] {
            let reported = try sparcfp.perform(.digest(hash.digestMechanism, data: data))
            #expect(try reported.value.bytes == Self.host.pinned(to: "openssl").digest(hash.digestMechanism, data: data))
            #expect((reported.report.modeledCycles ?? 0) > 0, "\(hash) is charged")
            let stream = try sparcfp.beginStream(.digest(hash.digestMechanism))
            #expect(stream.isIncremental)
            _ = try stream.update(Array(data[..<300]))
            _ = try stream.update(Array(data[300...]))
            let streamed = try stream.finish()
            #expect(streamed.value == (try reported.value.bytes))
            // The stream is charged as one request over the same bytes.
            #expect(streamed.report.modeledCycles == reported.report.modeledCycles)
        }
        // SHA-384/512 cost more per block than SHA-256 but work in 128-byte blocks.
        let sha256 = try sparcfp.perform(.digest(.sha256, data: data)).report.modeledCycles ?? 0
        let sha512 = try sparcfp.perform(.digest(.sha512, data: data)).report.modeledCycles ?? 0
        #expect(sha512 > 0 && sha256 > 0)
    }

    // MARK: AES-ECB and AES-CTR (SP 800-38A F.1.1, F.5.1)

    static let sp80038aKey = "2b7e151628aed2a6abf7158809cf4f3c"
    static let sp80038aPlaintext = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
        + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"

    @Test("AES-ECB: SP 800-38A F.1.1/F.1.2, one request and streamed in parts that split blocks")
    func aesECB() throws {
        let expected = "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
            + "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4"
        let key = SecureBytes(try [UInt8](hex: Self.sp80038aKey))
        let plaintext = try [UInt8](hex: Self.sp80038aPlaintext)
        #expect(Self.servesSoftHSM(.aesECB, .encrypt), "SoftHSM2 lists CKM_AES_ECB")
        for (name, framework) in Self.serving(.aesECB, .encrypt, keyBits: 128) {
            #expect(try framework.encrypt(.aesECB, key: key, parameters: .none, data: plaintext).hex == expected, "\(name)")
            #expect(try Self.streamed(framework, .encrypt(.aesECB, key: key, parameters: .none), plaintext, cuts: [5, 16, 40]).hex == expected)
            let ciphertext = try [UInt8](hex: expected)
            #expect(try Self.streamed(framework, .decrypt(.aesECB, key: key, parameters: .none), ciphertext, cuts: [31]) == plaintext)
            expectCryptoError(.dataLengthRange, mentioning: "whole 16-byte blocks") {
                _ = try framework.encrypt(.aesECB, key: key, parameters: .none, data: Array(plaintext.prefix(20)))
            }
            expectCryptoError(.dataLengthRange, mentioning: "whole 16-byte blocks") {
                _ = try Self.streamed(framework, .encrypt(.aesECB, key: key, parameters: .none), Array(plaintext.prefix(20)), cuts: [])
            }
        }
    }

    @Test("AES-CBC: SP 800-38A F.2.1/F.2.2 streamed on every serving provider; one without contexts (a token) answers each Update's whole blocks, chaining the IV")
    func aesCBCStreamed() throws {
        let expected = "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
            + "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"
        let key = SecureBytes(try [UInt8](hex: Self.sp80038aKey))
        let iv = CipherParameters.iv(try [UInt8](hex: "000102030405060708090a0b0c0d0e0f"))
        let plaintext = try [UInt8](hex: Self.sp80038aPlaintext)
        let providers = Self.serving(.aesCBC, .encrypt, keyBits: 128)
        #expect(providers.map(\.0).contains("t5220/n2cp/0"), "\(providers.map(\.0))")
        for (name, framework) in providers {
            let stream = try framework.beginStream(.encrypt(.aesCBC, key: key, parameters: iv))
            #expect(try stream.update(Array(plaintext[..<20])).count == 16, "\(name): the first whole block at once")
            #expect(try stream.update(Array(plaintext[20..<50])).count == 32, "\(name)")
            #expect(try stream.update(Array(plaintext[50...])).count == 16, "\(name)")
            #expect(try stream.finish().value.isEmpty)
            #expect(try Self.streamed(framework, .encrypt(.aesCBC, key: key, parameters: iv), plaintext, cuts: [20, 50]).hex == expected, "\(name)")
            #expect(try Self.streamed(framework, .decrypt(.aesCBC, key: key, parameters: iv), try [UInt8](hex: expected), cuts: [17, 33]) == plaintext, "\(name)")
        }
    }

    @Test("AES-CTR: SP 800-38A F.5.1/F.5.2, one request and streamed in uneven parts")
    func aesCTR() throws {
        let expected = "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
            + "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee"
        let key = SecureBytes(try [UInt8](hex: Self.sp80038aKey))
        let counter = CipherParameters.counter(try [UInt8](hex: "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), bits: 128)
        let plaintext = try [UInt8](hex: Self.sp80038aPlaintext)
        let providers = Self.serving(.aesCTR, .encrypt, keyBits: 128)
        #expect(providers.count >= 2, "\(providers.map(\.0))")
        #expect(providers.map(\.0).contains("t5220/n2cp/0"), "\(providers.map(\.0))")
        for (name, framework) in providers {
            #expect(try framework.encrypt(.aesCTR, key: key, parameters: counter, data: plaintext).hex == expected, "\(name)")
            #expect(try Self.streamed(framework, .encrypt(.aesCTR, key: key, parameters: counter), plaintext, cuts: [1, 17, 18, 50]).hex == expected)
            #expect(try Self.streamed(framework, .decrypt(.aesCTR, key: key, parameters: counter), try [UInt8](hex: expected), cuts: [7]) == plaintext)
        }
    }

    @Test("a token streams digests, HMACs, CTR and GCM encryption through its own multi-part calls, as openssl computes them; an abandoned stream leaves the token serving")
    func tokenStreams() throws {
        let softHSM = try #require(Self.softHSM)
        let token = try softHSM.pinned(to: SoftHSMToken.modulePath)
        let openssl = try Self.host.pinned(to: "openssl")
        let key = SecureBytes(try [UInt8](hex: Self.sp80038aKey))
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let counter = CipherParameters.counter(try [UInt8](hex: "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), bits: 128)
        let gcm = CipherParameters.gcm(GCMParameters(iv: [UInt8](repeating: 9, count: 12), additionalData: [1, 2, 3], tagBits: 128))
        let requests: [StreamRequest] = [
            .digest(.sha256), .digest(.sha512), .mac(.sha256HMAC, key: SecureBytes([UInt8](repeating: 0x5c, count: 32))),  // SoftHSM2: HMAC keys of 256 bits or more
            .encrypt(.aesCTR, key: key, parameters: counter), .decrypt(.aesCTR, key: key, parameters: counter),
            .encrypt(.aesGCM, key: key, parameters: gcm),
        ]
        var ran = 0
        for request in requests where Self.servesSoftHSM(request.mechanism, request.request(data: []).requiredFlag) {
            ran += 1
            let stream = try token.beginStream(request)
            #expect(stream.isIncremental, "\(request.mechanism) runs on the token's multi-part calls")
            _ = try? stream.update(Array(data[..<100]))
            // Abandoned midway: its session is closed, and the token serves the next stream.
            let expected = try Self.streamed(openssl, request, data, cuts: [100, 101, 517])
            #expect(try Self.streamed(token, request, data, cuts: [100, 101, 517]) == expected, "\(request.mechanism)")
        }
        #expect(ran == requests.count, "SoftHSM2 2.6.1 lists every one of these")
    }

    @Test("AES-CTR: a counter that would wrap within its bits is refused before anything is computed")
    func aesCTRWrap() throws {
        let framework = try Self.host.pinned(to: "openssl")
        let key = SecureBytes([UInt8](repeating: 7, count: 16))
        // 8 counter bits at 0xfe: two blocks (0xfe, 0xff) before the wrap.
        let block = [UInt8](repeating: 0, count: 15) + [0xfe]
        let two = CipherParameters.counter(block, bits: 8)
        #expect(try framework.encrypt(.aesCTR, key: key, parameters: two, data: [UInt8](repeating: 0, count: 32)).count == 32)
        expectCryptoError(.dataLengthRange, mentioning: "wrap") {
            _ = try framework.encrypt(.aesCTR, key: key, parameters: two, data: [UInt8](repeating: 0, count: 33))
        }
        let stream = try framework.beginStream(.encrypt(.aesCTR, key: key, parameters: two))
        #expect(try stream.update([UInt8](repeating: 0, count: 20)).count == 20)
        expectCryptoError(.dataLengthRange, mentioning: "wrap") { _ = try stream.update([UInt8](repeating: 0, count: 13)) }
        // Within the bits the counter's carry never leaves them: 0x..00ff with 8 bits has 1 block.
        let edge = CipherParameters.counter([UInt8](repeating: 0, count: 14) + [0x00, 0xff], bits: 8)
        expectCryptoError(.dataLengthRange, mentioning: "allows 1 blocks") {
            _ = try framework.encrypt(.aesCTR, key: key, parameters: edge, data: [UInt8](repeating: 0, count: 17))
        }
        // 128 bits from all-ones: one block left.
        let top = CipherParameters.counter([UInt8](repeating: 0xff, count: 16), bits: 128)
        #expect(try framework.encrypt(.aesCTR, key: key, parameters: top, data: [UInt8](repeating: 0, count: 16)).count == 16)
        expectCryptoError(.dataLengthRange, mentioning: "wrap") {
            _ = try framework.encrypt(.aesCTR, key: key, parameters: top, data: [UInt8](repeating: 0, count: 17))
        }
        expectCryptoError(.mechanismParamInvalid, mentioning: "counter bits") {
            _ = try framework.encrypt(.aesCTR, key: key, parameters: .counter(block, bits: 0), data: [0])
        }
    }

    // MARK: AES-GCM (Wycheproof aes_gcm_test.json, SP 800-38D)

    struct GCMGroup: Decodable {
        let ivSize: Int
        let keySize: Int
        let tagSize: Int
        let tests: [GCMTest]
    }

    struct GCMTest: Decodable {
        let tcId: Int
        let key: String
        let iv: String
        let aad: String
        let msg: String
        let ct: String
        let tag: String
        let result: String
    }

    @Test("AES-GCM: every Wycheproof vector on every serving provider; a wrong tag releases no plaintext")
    func aesGCMWycheproof() throws {
        let file = try WycheproofFile<GCMGroup>.load("aes_gcm_test")
        #expect(file.algorithm == "AES-GCM")
        let providers = Self.serving(.aesGCM, .decrypt)
        #expect(providers.count >= 2, "\(providers.map(\.0))")
        var checked = 0
        for (name, framework) in providers {
            for group in file.testGroups {
                guard framework.eligibleProviders(for: .aesGCM, operation: .decrypt, keyBits: group.keySize).count == 1 else { continue }
                for test in group.tests {
                    let key = SecureBytes(try [UInt8](hex: test.key))
                    let p = CipherParameters.gcm(GCMParameters(iv: try [UInt8](hex: test.iv), additionalData: try [UInt8](hex: test.aad), tagBits: group.tagSize))
                    let msg = try [UInt8](hex: test.msg)
                    let sealed = try [UInt8](hex: test.ct) + [UInt8](hex: test.tag)
                    let what = "\(name) tcId \(test.tcId)"
                    if group.ivSize == 0 || group.ivSize > GCMParameters.maximumIVLength * 8 {
                        // An empty IV is not GCM (SP 800-38D §5.2.1.1: len(IV) ≥ 1); one over
                        // 128 bytes is beyond libcrypto's GCM: both refused up front, the same everywhere.
                        expectCryptoError(.mechanismParamInvalid, mentioning: "IV") {
                            _ = try framework.decrypt(.aesGCM, key: key, parameters: p, data: sealed)
                        }
                        continue
                    }
                    let opened = Result { try framework.decrypt(.aesGCM, key: key, parameters: p, data: sealed) }
                    switch (test.result, opened) {
                    case ("valid", .success(let plaintext)):
                        #expect(plaintext == msg, "\(what)")
                        #expect(try framework.encrypt(.aesGCM, key: key, parameters: p, data: msg) == sealed, "\(what) encrypt")
                        let cut = msg.count / 3
                        #expect(try Self.streamed(framework, .encrypt(.aesGCM, key: key, parameters: p), msg, cuts: [cut, cut + 1]) == sealed, "\(what) streamed")
                        #expect(try Self.streamed(framework, .decrypt(.aesGCM, key: key, parameters: p), sealed, cuts: [cut]) == msg, "\(what) streamed open")
                    case ("valid", .failure(let error)):
                        Issue.record("\(what): valid vector refused: \(error)")
                    case ("invalid", .success):
                        Issue.record("\(what): INVALID vector opened")
                    case ("invalid", .failure(let error)):
                        #expect((error as? CryptoError)?.code == .dataInvalid, "\(what): \(error)")
                    default:
                        break
                    }
                    checked += 1
                }
            }
        }
        #expect(checked >= 300)
    }

    @Test("AES-GCM streamed decryption: Update releases nothing; a flipped tag bit ends with no plaintext")
    func aesGCMStreamedTamper() throws {
        let framework = try Self.host.pinned(to: "openssl")
        let key = SecureBytes([UInt8](repeating: 0x42, count: 32))
        let p = CipherParameters.gcm(GCMParameters(iv: [UInt8](repeating: 1, count: 12), additionalData: Array("header".utf8), tagBits: 96))
        let message = [UInt8](repeating: 0x55, count: 1000)
        var sealed = try framework.encrypt(.aesGCM, key: key, parameters: p, data: message)
        #expect(sealed.count == 1000 + 12)
        sealed[sealed.count - 1] ^= 1
        let stream = try framework.beginStream(.decrypt(.aesGCM, key: key, parameters: p))
        #expect(try stream.update(Array(sealed[..<600])).isEmpty)
        #expect(try stream.update(Array(sealed[600...])).isEmpty)
        expectCryptoError(.dataInvalid, mentioning: "tag does not match") { _ = try stream.finish() }
        expectCryptoError(.mechanismParamInvalid, mentioning: "tag length") {
            _ = try framework.beginStream(.encrypt(.aesGCM, key: key, parameters: .gcm(GCMParameters(iv: [1], tagBits: 100))))
        }
        expectCryptoError(.dataLengthRange, mentioning: "tag") {
            _ = try framework.decrypt(.aesGCM, key: key, parameters: p, data: [1, 2, 3])
        }
    }

    @Test("DES3-ECB on every serving provider matches DES3-CBC with a zero IV on one block")
    func des3ECB() throws {
        let key = SecureBytes((0..<24).map { UInt8($0 * 11 & 0xfe) })
        let block = [UInt8](0..<8)
        for (name, framework) in Self.serving(.des3ECB, .encrypt, keyBits: 192) {
            let ecb = try framework.encrypt(.des3ECB, key: key, parameters: .none, data: block)
            let cbc = try framework.encrypt(.des3CBC, key: key, iv: [UInt8](repeating: 0, count: 8), data: block)
            #expect(ecb == cbc, "\(name)")
            #expect(try framework.decrypt(.des3ECB, key: key, parameters: .none, data: ecb) == block)
        }
    }
}
