import CryptoFramework
import Providers
import Synchronization
import Testing

/// A "hardware" RSA signer that forwards to libcrypto and can be told to flip a
/// bit of its result, as a faulty accelerator would (the Bellcore attack's fault).
final class CorruptingSigner: CryptoProvider {
    let descriptor = ProviderDescriptor(
        name: "fault/0", summary: "test device that corrupts signatures on request",
        mechanisms: [Mechanism.rsaPKCS, .rsaX509, .sha256RSAPKCS, .sha256RSAPKCSPSS].map {
            MechanismInfo($0, minKeyBits: 512, maxKeyBits: 4096, flags: [.sign, .verify, .hardware])
        })
    private let inner = OpenSSLProvider()
    let corrupt = Atomic<Bool>(false)

    func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        let result = try inner.perform(request, context: context)
        guard corrupt.load(ordering: .relaxed), case .bytes(var signature) = result else { return result }
        signature[signature.count / 2] ^= 0x10
        return .bytes(signature)
    }
}

@Suite("Rule 5: hardware RSA private results are checked before release")
struct ResultCheckTests {
    static let schemes: [Mechanism] = [.rsaPKCS, .rsaX509, .sha256RSAPKCS, .sha256RSAPKCSPSS]

    func setUp() throws -> (CryptoFramework, CorruptingSigner, RSAPrivateKey) {
        let device = CorruptingSigner()
        let platform = Platform(
            name: "test", clockHz: nil, softwarePriority: ["openssl"],
            makeProviders: { [device, OpenSSLProvider()] })
        let fw = try CryptoFramework(platform: platform, policy: .inMemory(Policy()))
        let key = try fw.pinned(to: "openssl").generateRSAKeyPair(bits: 1024)
        return (fw, device, key)
    }

    func input(for m: Mechanism) -> [UInt8] {
        // CKM_RSA_X_509 signs a value below n: a leading zero byte keeps it there.
        m == .rsaX509 ? [0] + [UInt8](repeating: 0x42, count: 127) : Array("IKE HASH_R".utf8)
    }

    @Test("a good hardware signature is released", arguments: schemes)
    func goodResultReleased(mechanism: Mechanism) throws {
        let (fw, _, key) = try setUp()
        let r = try fw.perform(.sign(mechanism, key: key, data: input(for: mechanism), pss: nil))
        #expect(r.report.provider == "fault/0")
        #expect(r.report.failovers.isEmpty)
        #expect(fw.stats(for: "fault/0")?.resultCheckFailures == 0)
    }

    @Test("a corrupted hardware signature is discarded and recomputed in software", arguments: schemes)
    func corruptedResultCaught(mechanism: Mechanism) throws {
        let (fw, device, key) = try setUp()
        device.corrupt.store(true, ordering: .relaxed)
        let data = input(for: mechanism)
        let r = try fw.perform(.sign(mechanism, key: key, data: data, pss: nil))
        #expect(r.report.provider == "openssl")
        #expect(r.report.failovers.map(\.provider) == ["fault/0"])
        #expect(r.report.failovers.first?.error.code == .deviceError)
        #expect(fw.stats(for: "fault/0")?.resultCheckFailures == 1)
        guard case .bytes(let signature) = r.value else {
            Issue.record("no signature")
            return
        }
        let independent = try CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "gmp")
        #expect(try independent.verify(mechanism, key: key.publicKey, data: data, signature: signature))
    }
}
