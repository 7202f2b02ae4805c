import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import Synchronization
import Testing

/// State the tasks of the stress test share.
private final class SharedState: Sendable {
    let served = Locked<[String: Int]>([:])
    let flipping = Atomic<Bool>(true)
}

@Suite("Stress: concurrent requests while the policy flips")
struct PolicyFlipStressTests {
    /// Policies that each leave at least one provider for every mechanism used,
    /// so every request must succeed whichever is in force.
    static func policies() -> [Policy] {
        let rsaAndDH: [Mechanism] = [.sha256RSAPKCS, .rsaPKCS, .dhPKCSKeyPairGen, .dhPKCSDerive]
        var noOpenSSL = Policy()
        noOpenSSL.disable(provider: "openssl", mechanisms: rsaAndDH)
        var noGMP = Policy()
        noGMP.disable(provider: "gmp", mechanisms: rsaAndDH)
        return [Policy(), noOpenSSL, noGMP]
    }

    @Test("8 tasks x 500 sign/verify/derive, policy flipping every 2 ms: no failure, no wrong result")
    func stress() async throws {
        let fw = try CryptoFramework(platform: .host, policy: .inMemory(Policy()))
        // Checks run on a second framework whose policy never changes.
        let checker = try CryptoFramework(platform: .host, policy: .inMemory(Policy()))
        let openssl = try checker.pinned(to: "openssl"), gmp = try checker.pinned(to: "gmp")
        let other: @Sendable (String) -> CryptoFramework = { name in name == "openssl" ? gmp : openssl }
        let key = try await openssl.generateRSAKeyPair(bits: 2048)
        let group = DHGroup.modp14
        let shared = SharedState()
        // The administrator's changes come from outside the task pool: a thread of its
        // own, which may pause between flips with a blocking sleep. It returns its count.
        async let flipCount = DedicatedThread.run(name: "policy flipper") {
            let policies = Self.policies()
            var i = 0
            while shared.flipping.load(ordering: .relaxed) {
                fw.setPolicy(policies[i % policies.count])
                i += 1
                usleep(2_000)
            }
            fw.setPolicy(Policy())
            return i
        }
        defer { shared.flipping.store(false, ordering: .relaxed) }  // a failing task must end the flipper too

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for t in 0..<8 {
                tasks.addTask {
                    for i in 0..<500 {
                        let message = Array("task \(t) message \(i)".utf8)
                        switch i % 3 {
                        case 0:
                            let signed = try await fw.perform(.sign(.sha256RSAPKCS, key: key, data: message, pss: nil))
                            guard case .bytes(let sig) = signed.value else { throw CryptoError(.deviceError, "no bytes") }
                            // Verified by a provider other than the one that signed.
                            let ok = try await other(signed.report.provider)
                                .verify(.sha256RSAPKCS, key: key.publicKey, data: message, signature: sig)
                            #expect(ok, "signature from \(signed.report.provider) failed independent verification")
                            shared.served.withLock { $0[signed.report.provider, default: 0] += 1 }
                        case 1:
                            let sig = try await openssl.sign(.sha256RSAPKCS, key: key, data: message)
                            let verified = try await fw.perform(
                                .verify(.sha256RSAPKCS, key: key.publicKey, data: message, signature: sig, pss: nil))
                            guard case .verified(let ok) = verified.value else { throw CryptoError(.deviceError, "no verdict") }
                            #expect(ok)
                            var bad = sig
                            bad[bad.count - 1] ^= 1
                            #expect(try await !fw.verify(.sha256RSAPKCS, key: key.publicKey, data: message, signature: bad))
                        default:
                            let mine = try await fw.perform(.generateDHKeyPair(group: group, privateBits: nil))
                            guard case .dhKeyPair(let pair) = mine.value else { throw CryptoError(.deviceError, "no pair") }
                            let peerSide = other(mine.report.provider)
                            let peer = try await peerSide.generateDHKeyPair(group: group)
                            let z1 = try await fw.deriveDH(privateKey: pair.privateKey, peerPublicValue: peer.publicValue)
                            let z2 = try await peerSide.deriveDH(privateKey: peer.privateKey, peerPublicValue: pair.publicValue)
                            #expect(z1 == z2, "DH disagreement")
                        }
                    }
                }
            }
            try await tasks.waitForAll()
        }
        shared.flipping.store(false, ordering: .relaxed)
        let flips = try await flipCount
        #expect(flips > 10, "the policy must actually have flipped during the run")
        let counts = shared.served.withLock { $0 }
        #expect((counts["openssl"] ?? 0) > 0 && (counts["gmp"] ?? 0) > 0, "both providers served signatures: \(counts)")
    }
}
