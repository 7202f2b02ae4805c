import CryptoFramework
import Providers
import Testing

/// sparcfp's elliptic curves: the framework's EC algorithms on the T1 and T2
/// platforms' software provider, checked against openssl, with exact,
/// deterministic field-operation counts charged as Solaris' software ECC
/// (NSS's ECC over integer MPI: ``MPIFieldCost``).
@Suite("sparcfp: software ECC on the T1 and T2")
struct SPARCFloatECTests {
    static let openssl = NCPTestSupport.checker
    static let curves: [ECCurve] = [.p256, .p384]

    static func sparcfp(_ platform: Platform) throws -> CryptoFramework {
        try CryptoFramework(platform: platform, policy: .inMemory(Policy())).pinned(to: "sparcfp")
    }

    static let t1 = try! sparcfp(.t2000(timing: .fast))
    static let t2 = try! sparcfp(.t5220(timing: .fast))

    @Test("raw and hashed ECDSA on sparcfp verify on openssl; openssl's signatures verify on sparcfp; a changed message is false",
          arguments: curves)
    func ecdsa(curve: ECCurve) throws {
        let key = try Self.openssl.generateECKeyPair(curve: curve)
        let publicKey = try #require(key.publicKey)
        let data = Array("IKE_AUTH on a T2000".utf8)
        let hash = try Self.openssl.digest(.sha256, data: data)
        for fw in [Self.t1, Self.t2] {
            let raw = try fw.sign(.ecdsa, key: key, data: hash)
            #expect(try Self.openssl.verify(.ecdsa, key: publicKey, data: hash, signature: raw))
            let hashed = try fw.perform(.signEC(.ecdsaSHA256, key: key, data: data))
            #expect(hashed.report.provider == "sparcfp" && hashed.report.composedWith == nil, "served whole: sparcfp digests itself")
            #expect(try Self.openssl.verify(.ecdsaSHA256, key: publicKey, data: data, signature: hashed.value.bytes))
            let theirs = try Self.openssl.sign(.ecdsaSHA384, key: key, data: data)
            #expect(try fw.verify(.ecdsaSHA384, key: publicKey, data: data, signature: theirs))
            #expect(try !fw.verify(.ecdsaSHA384, key: publicKey, data: data + [0], signature: theirs))
        }
    }

    @Test("ECDH on sparcfp gives openssl's shared secret both ways; sparcfp's key pairs work with openssl", arguments: curves)
    func ecdh(curve: ECCurve) throws {
        for fw in [Self.t1, Self.t2] {
            let mine = try fw.generateECKeyPair(curve: curve)
            let theirs = try Self.openssl.generateECKeyPair(curve: curve)
            let a = try fw.deriveECDH(privateKey: mine, peerPublicValue: try #require(theirs.publicKey).point)
            let b = try Self.openssl.deriveECDH(privateKey: theirs, peerPublicValue: try #require(mine.publicKey).point)
            #expect(a == b && a.count == curve.fieldByteCount)
            // openssl accepts sparcfp's key pair: its signature with it verifies.
            let hash = [UInt8](repeating: 0x17, count: 32)
            let signature = try Self.openssl.sign(.ecdsa, key: mine, data: hash)
            #expect(try fw.verify(.ecdsa, key: try #require(mine.publicKey), data: hash, signature: signature))
        }
    }

    @Test("the field-operation counts of an ECDH are the same whatever the scalar, and so are the charged instructions and time",
          arguments: curves)
    func deterministicCounts(curve: ECCurve) throws {
        let peer = try #require(try Self.openssl.generateECKeyPair(curve: curve).publicKey)
        let order = try #require(curve.primeCurve?.n)
        let one = [UInt8](repeating: 0, count: order.count - 1) + [1]
        var nMinus1 = order
        nMinus1[nMinus1.count - 1] -= 1
        var reports: [OperationReport] = []
        for scalar in [one, nMinus1, try Self.openssl.generateECKeyPair(curve: curve).scalar.bytes] {
            // A key without its public half: no pairwise check, only the ECDH ladder.
            let key = try ECPrivateKey(curve: curve, scalar: SecureBytes(scalar))
            reports.append(try Self.t1.perform(.deriveECDH(privateKey: key, peerPublicValue: peer.point, parameters: .null)).report)
        }
        let works = try reports.map { try #require($0.work.tally(ECFieldWork.self)) }
        let counts = try reports.map { try #require($0.work.tally(FloatOpCounts.self)) }
        #expect(Set(works.map(\.description)).count == 1, "\(works)")
        #expect(Set(counts).count == 1, "\(counts)")
        #expect(Set(reports.map(\.modeledSeconds)).count == 1)
        let bits = 8 * curve.fieldByteCount
        #expect(works[0] == ECFieldWork(multiplications: bits * 24 + 2, squarings: bits * 3, additions: bits * 50, swaps: 3 * bits + 3, inversions: 1))
        let cost = try #require(MPIFieldCost(curve: curve))
        let (_, reductions) = cost.counts(works[0])
        #expect(reports[0].counts["sparcfp.ec.reduce"] == reductions)
        #expect(reductions == works[0].products + cost.inversionExponent.bits - 1 + cost.inversionExponent.ones - 1)
    }

    @Test("the modeled time is the chip's latencies applied to MPI's instructions for the counted work: integer only, faster on the T2",
          arguments: curves)
    func modeledTime(curve: ECCurve) throws {
        let peer = try #require(try Self.openssl.generateECKeyPair(curve: curve).publicKey)
        let key = try ECPrivateKey(curve: curve, scalar: try Self.openssl.generateECKeyPair(curve: curve).scalar)
        let request = CryptoRequest.deriveECDH(privateKey: key, peerPublicValue: peer.point, parameters: .null)
        let cost = try #require(MPIFieldCost(curve: curve))
        var seconds: [Double] = []
        for (fw, chip) in [(Self.t1, ChipModel.ultraSPARCT1), (Self.t2, .ultraSPARCT2)] {
            let report = try fw.perform(request).report
            let work = try #require(report.work.tally(ECFieldWork.self))
            let charged = try #require(report.work.tally(FloatOpCounts.self))
            #expect(charged == cost.counts(work).counts)
            #expect(charged.floatingPointOperations == 0 && charged.imul > 0, "MPI's ECC issues no FP instruction")
            #expect(report.work.tally(ResourceCycles.self)?.floatingPoint ?? 0 == 0, "it holds a strand, not the FPU")
            let modeled = try #require(report.modeledSeconds)
            #expect(abs(modeled - chip.seconds(charged)) <= 1e-12 * modeled)
            seconds.append(modeled)
        }
        #expect(seconds[1] < seconds[0], "T2: MULX 5 cycles against 11, at 1.4 GHz")
    }

    @Test("P-384's Montgomery reduction costs more per product than P-256's fast NIST reduction; a squaring less than a multiplication")
    func perOperationShape() throws {
        let p256 = try #require(MPIFieldCost(curve: .p256))
        let p384 = try #require(MPIFieldCost(curve: .p384))
        #expect(p256.digits == 4 && p384.digits == 6 && p256.reduction == .nistP256 && p384.reduction == .montgomery)
        #expect(p256.reduce.imul == 0 && p384.reduce.imul == 6 * (6 * 4 + 1))
        #expect(p256.product.imul == 16 * 4 && p384.product.imul == 36 * 4)
        #expect(p256.square.imul == 6 * 4 + 4 * 3)
        let chip = ChipModel.ultraSPARCT1
        #expect(chip.cycles(p256.square) < chip.cycles(p256.product))
        #expect(chip.cycles(p384.reduce) > chip.cycles(p256.reduce))
        // p − 2 of P-256 (2²⁵⁶ − 2²²⁴ + 2¹⁹² + 2⁹⁶ − 3): 256 bits, 128 of them set.
        #expect(p256.inversionExponent.bits == 256 && p256.inversionExponent.ones == 128)
        #expect(p384.inversionExponent.bits == 384)
        #expect(MPIFieldCost(curve: .p521) == nil && MPIFieldCost(curve: .ed25519) == nil)
    }
}
