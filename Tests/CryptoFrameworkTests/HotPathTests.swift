import Dispatch
import Synchronization
import Testing

@testable import CryptoFramework

/// The request path's shortcuts answer what the plain code they replaced did:
/// the in-place PKCS#1 comparison, the lock-free key-handle cache, the
/// counters' indices and sums, the descriptor's binary search.
@Suite struct HotPathTests {
    // MARK: PKCS#1 v1.5 compared in place

    @Test("in-place PKCS#1 type-1 comparison agrees with re-encoding", arguments: [0, 1, 20, 35, 36, 51, 53])
    func pkcs1InPlaceAgreesWithEncoding(payloadLength: Int) throws {
        let k = 64
        let t = (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let em = try RSAPadding.pkcs1Type1(t, length: k)
        #expect(RSAPadding.isPKCS1Type1(em, of: t))
        // Every single-byte change anywhere in the block is refused.
        for position in 0..<k {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var bad = em
                bad[position] ^= flip
                #expect(!RSAPadding.isPKCS1Type1(bad, of: t), "byte \(position) ^ \(flip) accepted")
            }
        }
        // Another payload of the same length, or one byte shorter or longer, is refused.
        if payloadLength > 0 {
            var other = t
            other[0] ^= 1
            #expect(!RSAPadding.isPKCS1Type1(em, of: other))
            #expect(!RSAPadding.isPKCS1Type1(em, of: Array(t.dropFirst())))
        }
        #expect(!RSAPadding.isPKCS1Type1(em, of: t + [0]))
    }

    @Test func pkcs1InPlaceRefusesPayloadsWithoutRoomForPadding() {
        let block = [UInt8](repeating: 0, count: 64)
        #expect(!RSAPadding.isPKCS1Type1(block, of: [UInt8](repeating: 0, count: 54)))
        #expect(!RSAPadding.isPKCS1Type1([0, 1], of: []))
    }

    // MARK: Key handles

    final class Handle: Sendable {
        let id: Int
        init(_ id: Int) { self.id = id }
    }

    @Test func handleIsBuiltOnceAndSharedByCopiesOfTheKey() throws {
        let key = try RSAPublicKey(modulus: [0xC5] + [UInt8](repeating: 0x3B, count: 62) + [0x01], publicExponent: [1, 0, 1])
        let copy = key
        let builds = Atomic<Int>(0)
        let first = key.handles.handle("test.slot") { () -> Handle in
            builds.wrappingAdd(1, ordering: .relaxed)
            return Handle(1)
        }
        let second = copy.handles.handle("test.slot") { () -> Handle in
            builds.wrappingAdd(1, ordering: .relaxed)
            return Handle(2)
        }
        #expect(first === second)
        #expect(builds.load(ordering: .relaxed) == 1)
        // Slots are independent; a value type is stored as well as a class.
        #expect(key.handles.handle("test.value") { 42 } == 42)
        #expect(key.handles.handle("test.value") { 7 } == 42)
        #expect(key.handles.handle("test.slot") { Handle(3) } === first)
    }

    @Test func slotAskedForAnotherTypeIsRebuiltNotMisread() {
        let cache = KeyHandleCache()
        #expect(cache.handle("slot") { 5 } == 5)
        #expect(cache.handle("slot") { "five" } == "five")
        #expect(cache.handle("slot") { "other" } == "five")
        cache.removeAll()
        #expect(cache.handle("slot") { 6 } == 6)
    }

    @Test func racingThreadsAllGetTheHandleThatWasStored() {
        let cache = KeyHandleCache()
        let slots = (0..<24).map { "slot\($0)" }
        let seen = Locked<[String: Set<ObjectIdentifier>]>([:])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<200 {
                let slot = slots[(round + thread) % slots.count]
                let handle = cache.handle(slot) { Handle(thread) }
                seen.withLock { _ = $0[slot, default: []].insert(ObjectIdentifier(handle)) }
            }
        }
        let result = seen.withLock { $0 }
        #expect(result.count == slots.count)
        for (slot, identities) in result {
            #expect(identities.count == 1, "\(slot) answered \(identities.count) different handles")
        }
    }

    // MARK: Counters

    @Test func servedIndicesAreThePositionsInAllCases() {
        for (position, operation) in ServedOperation.allCases.enumerated() {
            #expect(operation.index == position, "\(operation)")
        }
    }

    @Test("the selection key reads what the request's own properties say", arguments: [
        CryptoRequest.digest(.sha256, data: []), .random(count: 4),
        .mac(.sha256HMAC, key: SecureBytes([UInt8](repeating: 1, count: 32)), data: SecureBytes([UInt8]())),
        .encrypt(.aesCBC, key: SecureBytes([UInt8](repeating: 2, count: 16)), iv: [], data: []),
        .decrypt(.des3CBC, key: SecureBytes([UInt8](repeating: 3, count: 24)), iv: [], data: []),
        .generateRSAKeyPair(bits: 2048, publicExponent: []),
        .generateDHKeyPair(group: .modp2, privateBits: nil),
    ] + (try keyedRequests()))
    func selectionKeyMatchesRequestProperties(request: CryptoRequest) {
        let key = SelectionKey(request)
        #expect(key.mechanism == request.mechanism.value)
        #expect(key.served.operationName == request.operationName)
        #expect(key.keyBits == request.keyBits)
        #expect(key.flag == request.requiredFlag)
        #expect(key.isRSAPrivateOperation == request.isRSAPrivateOperation)
        #expect(key.servedIndex == ServedOperation(request).index)
        #expect(key.requested.value == request.mechanism.value)
        #expect(key.requested.name == request.mechanism.name)
        #expect(key.curve == request.curve)
        let facts = request.selectionFacts
        #expect(facts.mechanism.name == request.mechanism.name)
        #expect(facts.keyBits == request.keyBits)
        #expect(facts.curve == request.curve)
    }

    /// The kinds whose facts come from an RSA, DH or EC public key (CryptoRequest.selectionFacts).
    static func keyedRequests() throws -> [CryptoRequest] {
        let rsa = try RSAPrivateKey(pemRepresentation: KeyFixture.text("rsa2048.pkcs1.pem"))
        let rsa1024 = try RSAPublicKey(pemRepresentation: KeyFixture.text("rsa1024.spki.pem"))
        let p384 = try ECPublicKey(pemRepresentation: KeyFixture.text("ec-p384.spki.pem"))
        let ed25519 = try ECPublicKey(pemRepresentation: KeyFixture.text("ed25519.spki.pem"))
        return [
            .sign(.sha256RSAPKCS, key: rsa, data: [1], pss: nil), .sign(.rsaPKCSPSS, key: rsa, data: [], pss: PSSParameters(hash: .sha256)),
            .verify(.sha1RSAPKCS, key: rsa1024, data: [], signature: [2], pss: nil),
            .encryptRSA(.rsaPKCSOAEP, key: rsa.publicKey, data: [3], oaep: OAEPParameters()),
            .decryptRSA(.rsaPKCS, key: rsa, data: [4], oaep: nil),
            .deriveDH(privateKey: DHPrivateKey(group: .modp14, value: SecureBytes([5])), peerPublicValue: [2]),
            .verifyEC(.ecdsaSHA384, key: p384, data: [], signature: [6]), .verifyEC(.eddsa, key: ed25519, data: [7], signature: []),
        ]
    }

    @Test("the selection key reads what an EC request's own properties say")
    func selectionKeyMatchesECRequestProperties() throws {
        let p256 = try ECPrivateKey(curve: .p256, scalar: SecureBytes([0x2a]))
        let p384 = try ECPrivateKey(curve: .p384, scalar: SecureBytes([0x2b]))
        let ed25519 = try ECPrivateKey(curve: .ed25519, scalar: SecureBytes([UInt8](repeating: 7, count: 32)))
        let requests: [CryptoRequest] = [
            .signEC(.ecdsa, key: p256, data: [1, 2, 3]), .signEC(.ecdsaSHA384, key: p384, data: []),
            .signEC(.eddsa, key: ed25519, data: []),
            .deriveECDH(privateKey: p256, peerPublicValue: [4], parameters: .null),
            .generateECKeyPair(curve: .p521), .generateECKeyPair(curve: .x25519), .generateECKeyPair(curve: .ed25519),
        ]
        for request in requests {
            let key = SelectionKey(request)
            #expect(key.mechanism == request.mechanism.value)
            #expect(key.requested.name == request.mechanism.name)
            #expect(key.keyBits == request.keyBits)
            #expect(key.curve == request.curve)
            #expect(key.curve != nil)
            #expect(key.flag == request.requiredFlag)
        }
    }

    @Test func requestsAreTheSumOfOutcomesAndInFlight() throws {
        let stats = ProviderStats()
        let digest = CryptoRequest.digest(.sha256, data: [])
        for _ in 0..<5 { stats.begin() }
        stats.completed(servedIndex: SelectionKey(digest).servedIndex)
        stats.completed(servedIndex: SelectionKey(.random(count: 1)).servedIndex)
        stats.end(.failedOver)
        stats.end(.checkFailed)
        let s = stats.snapshot
        #expect(s.requests == 5)
        #expect(s.completed == 2)
        #expect(s.failovers == 2)
        #expect(s.resultCheckFailures == 1)
        #expect(s.errors == 0)
        #expect(s.inFlight == 1)
        #expect(s.served == ["digest": 1, "random": 1])
    }

    @Test func snapshotsNeverGoBackwardsWhileRequestsRun() {
        let stats = ProviderStats()
        let digest = SelectionKey(.digest(.sha256, data: [])).servedIndex
        let done = Atomic<Bool>(false)
        let backwards = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 2) { role in
            if role == 0 {
                for _ in 0..<200_000 {
                    stats.begin()
                    stats.completed(servedIndex: digest)
                }
                done.store(true, ordering: .releasing)
            } else {
                var last = stats.snapshot
                while !done.load(ordering: .acquiring) {
                    let now = stats.snapshot
                    if now.requests < last.requests || now.completed < last.completed || now.inFlight < 0 {
                        backwards.wrappingAdd(1, ordering: .relaxed)
                    }
                    last = now
                }
            }
        }
        #expect(backwards.load(ordering: .relaxed) == 0)
        #expect(stats.snapshot.requests == 200_000)
        #expect(stats.snapshot.inFlight == 0)
    }

    // MARK: Descriptors

    @Test func descriptorFindsEveryListedMechanismAndNothingElse() {
        let listed: [Mechanism] = [.sha512, .rsaPKCS, .sha1, .dhPKCSDerive, .aesCBC]
        let d = ProviderDescriptor(
            name: "probe", summary: "test",
            mechanisms: listed.map { MechanismInfo($0, minKeyBits: 0, maxKeyBits: 0, flags: .digest) }
                + [MechanismInfo(.sha1, minKeyBits: 1, maxKeyBits: 1, flags: .sign)])
        for m in listed { #expect(d.info(for: m)?.mechanism == m) }
        // A mechanism listed twice answers its first entry, as the table reads.
        #expect(d.info(for: .sha1)?.flags == .digest)
        for m in Mechanism.catalog where !listed.contains(m) { #expect(d.info(for: m) == nil, "\(m)") }
    }
}
