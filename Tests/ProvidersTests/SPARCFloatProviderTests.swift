import CryptoFramework
import Foundation
import Providers
@testable import EmulatedHardware
@testable import ProviderPKCS11
@testable import ProviderSPARCFloat
@testable import ProviderNCP
import Testing

/// sparcfp through the t2000 framework: every operation real (checked against
/// openssl) and every report carrying modeled T1 time and the counts.
@Suite("SPARC FP provider on t2000")
struct SPARCFloatProviderTests {
    /// The t2000 platform's software path alone (ncp/0 would take RSA_PKCS and DH first).
    static let t2000 = try! CryptoFramework(platform: .t2000, policy: .inMemory(Policy())).pinned(to: "sparcfp")
    static let host = try! CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "openssl")
    static let key = try! host.generateRSAKeyPair(bits: 2048)  // PSS with SHA-512 needs more than 1024 bits

    @Test("t2000 lists sparcfp with RSA, DH and the IKE symmetric mechanisms")
    func registered() throws {
        let sparc = try #require(Self.t2000.providers.first { $0.name == "sparcfp" })
        #expect(sparc.kind == .software)
        for m: Mechanism in [.rsaPKCS, .sha1RSAPKCS, .sha256RSAPKCSPSS, .rsaPKCSKeyPairGen, .dhPKCSKeyPairGen, .dhPKCSDerive,
                             .sha1, .sha256, .sha1HMAC, .sha256HMAC, .aesCBC, .des3CBC] {
            #expect(sparc.info(for: m) != nil, "\(m)")
        }
    }

    @Test("Every signature mechanism: sparcfp signs what openssl verifies and verifies what openssl signs, with modeled time",
          arguments: SPARCFloatProvider.mechanisms.map(\.mechanism).filter { RSAScheme($0) != nil })
    func signVerify(mechanism: Mechanism) throws {
        let message = Array("IKE Phase I responder".utf8)
        let data: [UInt8]
        switch RSAScheme(mechanism)! {
        case .pss: data = try Self.host.digest(.sha256, data: message)
        case .pkcs1: data = HashAlgorithm.sha1.digestInfo(try Self.host.digest(.sha1, data: message))
        case .raw: data = [0x00, 0x42] + message
        default: data = message
        }
        let pss = mechanism == .rsaPKCSPSS ? PSSParameters(hash: .sha256, mgf1Hash: .sha256, saltLength: 32) : nil
        let signed = try Self.t2000.perform(.sign(mechanism, key: Self.key, data: data, pss: pss))
        guard case .bytes(let signature) = signed.value else { Issue.record("no signature"); return }
        #expect(signed.report.provider == "sparcfp")
        #expect((signed.report.modeledSeconds ?? 0) > 0)
        #expect((signed.report.counts["fmul"] ?? 0) > 0 && (signed.report.counts["imul"] ?? 0) > 0)
        #expect(try Self.host.verify(mechanism, key: Self.key.publicKey, data: data, signature: signature, pss: pss))
        let theirs = try Self.host.sign(mechanism, key: Self.key, data: data, pss: pss)
        let verified = try Self.t2000.perform(.verify(mechanism, key: Self.key.publicKey, data: data, signature: theirs, pss: pss))
        guard case .verified(let ok) = verified.value else { Issue.record("no verdict"); return }
        #expect(ok)
        #expect((verified.report.modeledSeconds ?? 0) > 0)
    }

    @Test("DH on groups 2 and 14: sparcfp and openssl agree on the secret", arguments: [2, 14])
    func dhAgreement(group number: Int) throws {
        let group = try #require(DHGroup.ike(number))
        let mine = try Self.t2000.generateDHKeyPair(group: group)
        let theirs = try Self.host.generateDHKeyPair(group: group)
        let derived = try Self.t2000.perform(.deriveDH(privateKey: mine.privateKey, peerPublicValue: theirs.publicValue))
        guard case .secret(let z) = derived.value else { Issue.record("no secret"); return }
        let expected = try Self.host.deriveDH(privateKey: theirs.privateKey, peerPublicValue: mine.publicValue)
        #expect(z.bytes == expected.bytes)
        #expect(derived.report.provider == "sparcfp" && (derived.report.modeledSeconds ?? 0) > 0)
        #expect(derived.report.counts["sparcfp.modexp"] == 1)
    }

    @Test("RSA key generation on sparcfp yields a working key, charged for its primality tests")
    func keyGeneration() throws {
        let generated = try Self.t2000.perform(.generateRSAKeyPair(bits: 512, publicExponent: []))
        guard case .rsaKeyPair(let key) = generated.value else { Issue.record("no key"); return }
        #expect(key.bits == 512)
        #expect((generated.report.modeledSeconds ?? 0) > 0)
        let sig = try Self.host.sign(.sha256RSAPKCS, key: key, data: [1, 2, 3])
        #expect(try Self.t2000.verify(.sha256RSAPKCS, key: key.publicKey, data: [1, 2, 3], signature: sig))
    }

    @Test("Symmetric mechanisms: libcrypto's results, charged with the T1 per-byte estimates")
    func symmetric() throws {
        let data = [UInt8](repeating: 0x61, count: 256)
        let key = SecureBytes([UInt8](repeating: 0x0B, count: 24))
        let iv8 = [UInt8](repeating: 1, count: 8), iv16 = [UInt8](repeating: 1, count: 16)
        let cases: [(CryptoRequest, Double)] = [
            (.digest(.sha1, data: data), 5 * 2_496),  // (256 + 9) bytes → 5 blocks
            (.digest(.sha256, data: data), 5 * 4_384),
            (.mac(.sha1HMAC, key: key, data: SecureBytes(data)), Double(6 + 2) * 2_496),  // 64 + 256 → 6 blocks; 64 + 20 → 2
            (.mac(.sha256HMAC, key: key, data: SecureBytes(data)), Double(6 + 2) * 4_384),
            (.encrypt(.des3CBC, key: key, iv: iv8, data: data), 32 * 2_748),
            (.encrypt(.aesCBC, key: SecureBytes([UInt8](repeating: 2, count: 16)), iv: iv16, data: data), 16 * (10 * 112 + 20)),
        ]
        let openssl = OpenSSLProvider()
        for (request, cycles) in cases {
            let reported = try Self.t2000.perform(request)
            // A MAC comes back as a secret, the rest as bytes.
            func value(_ r: CryptoResult) -> [UInt8]? {
                switch r {
                case .bytes(let b): b
                case .secret(let s): s.bytes
                default: nil
                }
            }
            guard let ours = value(reported.value), let theirs = value(try openssl.perform(request, context: OperationContext()))
            else { Issue.record("no bytes for \(request.mechanism)"); continue }
            #expect(ours == theirs, "\(request.mechanism)")
            #expect(reported.report.modeledCycles == cycles, "\(request.mechanism)")
        }
    }

    @Test("DH key pairs without a length get a full-length private value, as Solaris softtoken; short on request")
    func dhPrivateValueDefault() throws {
        let group = DHGroup.modp2
        func privateBits(_ provider: SPARCFloatProvider, _ requested: Int?) throws -> Int {
            guard case .dhKeyPair(let pair) = try provider.perform(
                .generateDHKeyPair(group: group, privateBits: requested), context: OperationContext())
            else { throw CryptoError(.providerFailed, "no key pair") }
            return ExponentShape.of(pair.privateKey.value).bits
        }
        #expect(try privateBits(SPARCFloatProvider(), nil) == group.bits)
        #expect(try privateBits(SPARCFloatProvider(dhPrivateValues: .short), nil) == group.defaultPrivateBits)
        #expect(try privateBits(SPARCFloatProvider(), 512) == 512)
        // The platform's sparcfp follows Solaris too.
        let fw = try CryptoFramework(platform: .t2000, policy: .inMemory(Policy())).pinned(to: "sparcfp")
        let pair = try fw.generateDHKeyPair(group: group)
        #expect(ExponentShape.of(pair.privateKey.value).bits == group.bits)
    }

    @Test("sparcumul64, Sun's later sun4v integer path: real results, integer instructions only, cheaper than the FP path")
    func integerKernel() throws {
        let integer = SPARCFloatProvider(kernel: .umul64)
        #expect(integer.descriptor.name == "sparcumul64")
        let key = try Self.host.generateRSAKeyPair(bits: 1024)
        let data = Array("IKE HASH_R".utf8)
        let context = OperationContext()
        guard case .bytes(let signature) = try integer.perform(.sign(.rsaPKCS, key: key, data: data, pss: nil), context: context)
        else { Issue.record("no signature"); return }
        #expect(try Self.host.verify(.rsaPKCS, key: key.publicKey, data: data, signature: signature))
        let counts = try #require(context.work.tally(FloatOpCounts.self))
        #expect(counts.floatingPointOperations == 0 && counts.imul > 0)
        let fpContext = OperationContext()
        _ = try SPARCFloatProvider().perform(.sign(.rsaPKCS, key: key, data: data, pss: nil), context: fpContext)
        let integerSeconds = try #require(context.modeledSeconds)
        let fpSeconds = try #require(fpContext.modeledSeconds)
        #expect(integerSeconds < fpSeconds / 2)

        // DH: the same shared secret as openssl computes, for both lengths of private value.
        for bits in [DHGroup.modp2.defaultPrivateBits, DHGroup.modp2.bits] {
            let peer = try Self.host.generateDHKeyPair(group: .modp2)
            guard case .dhKeyPair(let mine) = try integer.perform(
                .generateDHKeyPair(group: .modp2, privateBits: bits), context: OperationContext()),
                case .secret(let ours) = try integer.perform(
                .deriveDH(privateKey: mine.privateKey, peerPublicValue: peer.publicValue), context: OperationContext())
            else { Issue.record("no DH result"); continue }
            let theirs = try OpenSSLProvider().perform(
                .deriveDH(privateKey: peer.privateKey, peerPublicValue: mine.publicValue), context: OperationContext())
            guard case .secret(let expected) = theirs else { Issue.record("no openssl secret"); continue }
            #expect(ours.bytes == expected.bytes)
        }
    }

    @Test("The emulation what-if: the solved penalty turns the modeled time into the target")
    func penaltySolve() throws {
        let key = try Self.host.generateRSAKeyPair(bits: 1024)
        let context = OperationContext()
        _ = try SPARCFloatProvider().perform(.sign(.rsaPKCS, key: key, data: [1, 2, 3], pss: nil), context: context)
        let counts = try #require(context.work.tally(FloatOpCounts.self))
        let modeled = try #require(context.modeledSeconds)
        let chip = ChipModel.ultraSPARCT1
        let penalty = try #require(FPTrapPenalty.cyclesNeeded(
            targetSeconds: 1.0, modeledSeconds: modeled, fpInstructions: counts.floatingPointOperations, chip: chip))
        #expect(penalty > 0)
        // Charged at that penalty, the same instructions take the extra second minus the modeled time.
        let extra = chip.withFPTrapPenalty(penalty).seconds(counts) - chip.seconds(counts)
        #expect(abs(extra - (1.0 - modeled)) < 1e-9)
        // Below the modeled time, the penalty is negative.
        #expect(try #require(FPTrapPenalty.cyclesNeeded(
            targetSeconds: modeled / 2, modeledSeconds: modeled, fpInstructions: counts.floatingPointOperations, chip: chip)) < 0)
    }
}

@Suite("sparcfp modeled chip throughput")
struct SPARCFloatThroughputTests {
    @Test("RSA-1024 sign: bounded by the shared FPU, between 1 and 32 operations per modeled latency")
    func rsaSignThroughput() throws {
        let provider = SPARCFloatProvider()
        let throughput = try #require(provider.modeledThroughput(mechanism: .rsaPKCS, operation: "sign", keyBits: 1024))
        let fw = try CryptoFramework(platform: .t2000, policy: .inMemory(Policy())).pinned(to: "sparcfp")
        let key = try CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "openssl").generateRSAKeyPair(bits: 1024)
        let latency = try #require(try fw.perform(.sign(.rsaPKCS, key: key, data: [1, 2, 3], pss: nil)).report.modeledSeconds)
        // One shared FPU: at least one operation per latency, and no more than the 32 strands allow.
        #expect(throughput >= 1 / latency * 0.9)
        #expect(throughput <= 32 / latency)
        // A trap penalty slows the FP path, and so the chip.
        let slow = SPARCFloatProvider(chip: ChipModel.ultraSPARCT1.withFPTrapPenalty(500))
        #expect(try #require(slow.modeledThroughput(mechanism: .rsaPKCS, operation: "sign", keyBits: 1024)) < throughput / 5)
        #expect(provider.modeledThroughput(mechanism: .sha1, operation: "digest", keyBits: 0) == nil)
    }
}
