import CryptoFramework
import Providers
import Testing

@Suite("ncp/0: correctness and mechanism table")
struct NCPCorrectnessTests {
    static let host = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))

    @Test("ncp/0 is a hardware provider on both platforms, with exactly the real ncp's mechanisms")
    func presentOnBothPlatforms() throws {
        for platform in [Platform.host, .t2000] {
            let fw = try CryptoFramework(platform: platform, policy: .inMemory(Policy()))
            let ncp = try #require(fw.providers.first { $0.name == "ncp/0" }, "ncp/0 on \(platform.name)")
            #expect(ncp.kind == .hardware)
            #expect(Set(ncp.mechanisms.map(\.mechanism)) ==
                [.rsaPKCS, .rsaX509, .rsaPKCSKeyPairGen, .dhPKCSKeyPairGen, .dhPKCSDerive])
            #expect(ncp.mechanisms.allSatisfy { $0.maxKeyBits == 2048 })
        }
    }

    @Test("DH on ncp/0 agrees with gmp", arguments: [1, 2, 5, 14])
    func dhAgreesWithGMP(groupNumber: Int) throws {
        let group = try #require(DHGroup.ike(groupNumber))
        let ncp = try Self.host.pinned(to: "ncp/0"), gmp = try Self.host.pinned(to: "gmp")
        let a = try ncp.generateDHKeyPair(group: group)
        let b = try gmp.generateDHKeyPair(group: group)
        let za = try ncp.deriveDH(privateKey: a.privateKey, peerPublicValue: b.publicValue)
        let zb = try gmp.deriveDH(privateKey: b.privateKey, peerPublicValue: a.publicValue)
        #expect(za == zb, "ncp/0 and gmp disagree in \(group)")
        #expect(za.count == group.byteCount)
    }

    @Test("DH group 15 (3072 bits) goes to software without error")
    func group15RoutesToSoftware() throws {
        let group = try #require(DHGroup.ike(15))
        let pair = try Self.host.perform(.generateDHKeyPair(group: group, privateBits: nil))
        #expect(pair.report.provider != "ncp/0")
        #expect(pair.report.failovers.isEmpty, "the table alone keeps ncp/0 out: \(pair.report.failovers)")
        guard case .dhKeyPair(let mine) = pair.value else { Issue.record("no key pair"); return }
        let peer = try Self.host.pinned(to: "gmp").generateDHKeyPair(group: group)
        let z = try Self.host.perform(.deriveDH(privateKey: mine.privateKey, peerPublicValue: peer.publicValue))
        #expect(z.report.provider != "ncp/0")
        // Asked directly, the device answers with a recoverable key-size error.
        let ncp = try #require(Self.host.provider(named: "ncp/0"))
        let error = try #require(throws: CryptoError.self) {
            try ncp.perform(.generateDHKeyPair(group: group, privateBits: nil), context: OperationContext())
        }
        #expect(error.code == .keySizeRange && error.isRecoverable)
    }

    @Test("RSA through ncp/0: CKM_RSA_PKCS and CKM_RSA_X_509 sign/verify interoperate with openssl; 4096 goes to software")
    func rsaInterop() throws {
        let ncp = try Self.host.pinned(to: "ncp/0")
        let key = NCPTestSupport.key
        let data = NCPTestSupport.message(7)
        let sig = try ncp.sign(.rsaPKCS, key: key, data: data)
        #expect(try NCPTestSupport.checker.verify(.rsaPKCS, key: key.publicKey, data: data, signature: sig))
        let other = try NCPTestSupport.checker.sign(.rsaPKCS, key: key, data: data)
        #expect(try ncp.verify(.rsaPKCS, key: key.publicKey, data: data, signature: other))
        #expect(try !ncp.verify(.rsaPKCS, key: key.publicKey, data: data + [0], signature: other))
        let raw = [UInt8](repeating: 0, count: 64) + data
        let rawSig = try ncp.sign(.rsaX509, key: key, data: raw)
        #expect(try NCPTestSupport.checker.verify(.rsaX509, key: key.publicKey, data: raw, signature: rawSig))
        // A 4096-bit key is outside the device's range: the framework serves it in software.
        let big = try NCPTestSupport.checker.generateRSAKeyPair(bits: 4096)
        let r = try Self.host.perform(.sign(.rsaPKCS, key: big, data: data, pss: nil))
        #expect(r.report.provider != "ncp/0")
    }

    @Test("RSA key-pair generation on ncp/0 makes keys openssl accepts, and reports modeled T1 time")
    func rsaKeyGeneration() throws {
        let reported = try Self.host.pinned(to: "ncp/0").perform(.generateRSAKeyPair(bits: 1024, publicExponent: [1, 0, 1]))
        #expect(reported.report.provider == "ncp/0")
        #expect((reported.report.modeledSeconds ?? 0) > 0)
        guard case .rsaKeyPair(let key) = reported.value else { Issue.record("no key"); return }
        #expect(key.bits == 1024)
        let sig = try NCPTestSupport.checker.sign(.rsaPKCS, key: key, data: [1, 2, 3])
        #expect(try NCPTestSupport.checker.verify(.rsaPKCS, key: key.publicKey, data: [1, 2, 3], signature: sig))
        let ncp = try #require(Self.host.provider(named: "ncp/0") as? NCPProvider)
        #expect(ncp.statistics.algorithms[.rsaGenerate]! >= 1)
    }
}

@Suite("Default selection on the platforms")
struct PlatformSelectionTests {
    static let cases: [(Mechanism, MechanismFlags, Int)] = [
        (.rsaPKCS, .sign, 1024), (.rsaPKCS, .verify, 1024), (.rsaPKCS, .sign, 2048), (.rsaPKCS, .verify, 2048),
        (.dhPKCSKeyPairGen, .generateKeyPair, 1024), (.dhPKCSDerive, .derive, 1024),
        (.dhPKCSKeyPairGen, .generateKeyPair, 2048), (.dhPKCSDerive, .derive, 2048),
    ]

    @Test("host: openssl serves the public-key operations; the emulated ncp/0 comes last")
    func hostPrefersSoftware() throws {
        let fw = try CryptoFramework(platform: .host, policy: .inMemory(Policy()))
        for (mechanism, flag, bits) in Self.cases {
            let order = fw.eligibleProviders(for: mechanism, operation: flag, keyBits: bits)
            #expect(order.first == "openssl", "\(mechanism) \(bits): \(order)")
            #expect(order.last == "ncp/0", "\(mechanism) \(bits): \(order)")
        }
        let key = NCPTestSupport.key
        let data = NCPTestSupport.message(1)
        #expect(try fw.perform(.sign(.rsaPKCS, key: key, data: data, pss: nil)).report.provider == "openssl")
        #expect(try fw.perform(.generateDHKeyPair(group: .modp2, privateBits: nil)).report.provider == "openssl")
    }

    @Test("host: with the software disabled for a mechanism, ncp/0 serves it; disabling ncp/0 too leaves nothing")
    func hostFallsBackToNCP() throws {
        var policy = Policy()
        for name in ["openssl", "gmp"] { policy.disable(provider: name, mechanisms: [.rsaPKCS]) }
        let fw = try CryptoFramework(platform: .host, policy: .inMemory(policy))
        let key = NCPTestSupport.key
        #expect(try fw.perform(.sign(.rsaPKCS, key: key, data: [1, 2, 3], pss: nil)).report.provider == "ncp/0")
        policy.disable(provider: "ncp/0", mechanisms: [.rsaPKCS])
        fw.setPolicy(policy)
        #expect(throws: CryptoError.self) { try fw.perform(.sign(.rsaPKCS, key: key, data: [1, 2, 3], pss: nil)) }
    }

    @Test("t2000: hardware first — ncp/0 serves; after `disable provider=ncp/0`, sparcfp")
    func t2000PrefersNCP() throws {
        let fw = try CryptoFramework(platform: .t2000, policy: .inMemory(Policy()))
        for (mechanism, flag, bits) in Self.cases {
            #expect(fw.eligibleProviders(for: mechanism, operation: flag, keyBits: bits).first == "ncp/0", "\(mechanism) \(bits)")
        }
        #expect(try fw.perform(.generateDHKeyPair(group: .modp2, privateBits: nil)).report.provider == "ncp/0")
        var policy = Policy()
        policy.disable(provider: "ncp/0", mechanisms: [.dhPKCSKeyPairGen])
        fw.setPolicy(policy)
        #expect(try fw.perform(.generateDHKeyPair(group: .modp2, privateBits: nil)).report.provider == "sparcfp")
    }
}

@Suite("ncp/0 fast mode: jobs run by their submitter keep the ring's accounting")
struct NCPFastModeAccountingTests {
    @Test("sequential jobs on an idle device: one submit and one interrupt each, no qbusy, the ring empty after")
    func sequentialJobsAccounted() throws {
        let (fw, ncp) = try NCPTestSupport.framework(NCPConfiguration(mauCount: 2))
        let jobs = 6
        for i in 0..<jobs {
            let report = try fw.perform(.verify(.rsaPKCS, key: NCPTestSupport.key.publicKey, data: NCPTestSupport.message(i % 16),
                                                signature: NCPTestSupport.signatures[i % 16], pss: nil)).report
            #expect(report.provider == "ncp/0")
            #expect(report.counts.keys.contains { $0.hasPrefix("ncp.mau") }, "the job ran on a MAU: \(report.counts)")
            #expect(report.modeledSeconds != nil)
        }
        let stats = ncp.statistics
        #expect(stats.maus.map(\.submit).reduce(0, +) == jobs)
        #expect(stats.maus.map(\.nintr).reduce(0, +) == jobs)
        #expect(stats.maus.map(\.qbusy).reduce(0, +) == 0)
        #expect(stats.maus.allSatisfy { $0.occupancy == 0 })
        #expect(stats.algorithms[.rsaPublic] == jobs)
        #expect(ncp.load == 0)
    }

    @Test("fast mode, a hung MAU: its job goes to the worker, the watchdog takes the MAU offline, every answer arrives")
    func hungMAUInFastMode() async throws {
        let (fw, ncp) = try NCPTestSupport.framework(NCPConfiguration(mauCount: 2, hangTimeoutSeconds: 0.3))
        ncp.faults.hang(mau: 0)
        let reports = try await NCPTestSupport.concurrently(fw, count: 16, NCPTestSupport.verifyAndCheck)
        #expect(reports.count == 16)
        let stats = ncp.statistics
        #expect(stats.hangsDetected == 1)
        #expect(stats.maus[0].state == .offline)
        #expect(stats.maus[0].nintr == 0, "the hung MAU answered nothing")
        #expect(stats.maus[1].state == .online)
        ncp.faults.repair()
        #expect(ncp.statistics.maus[0].state == .online)
    }
}
