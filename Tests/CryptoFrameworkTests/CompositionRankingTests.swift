import CryptoFramework
import Providers
import Synchronization
import Testing

/// Selection rule 6 in general: CKM_ECDSA_SHA256 composed as openssl's SHA-256
/// and CKM_ECDSA on a device that offers only the raw mechanism (none of the
/// platforms has one yet), and where a composed device ranks against a device
/// that serves the mechanism whole and against software.
@Suite("Selection rule 6: composed candidates rank as the platform says")
struct CompositionRankingTests {
    /// A device offering raw CKM_ECDSA on P-256 that records what it was asked
    /// to sign and answers with a fixed r‖s.
    final class RawECDSADevice: CryptoProvider {
        let descriptor: ProviderDescriptor
        let signed = Mutex<[[UInt8]]>([])
        let loadValue = Atomic<Int>(0)

        init(_ name: String, mechanisms: [Mechanism] = [.ecdsa]) {
            descriptor = ProviderDescriptor(name: name, summary: "raw ECDSA test device", mechanisms: mechanisms.map {
                MechanismInfo($0, minKeyBits: 256, maxKeyBits: 256, flags: [.sign, .verify], curves: .p256)
            })
        }
        var load: Int { loadValue.load(ordering: .relaxed) }

        func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
            guard case .signEC(_, _, let data) = request else { throw unsupported(request) }
            signed.withLock { $0.append(data) }
            return .bytes([UInt8](repeating: 7, count: 64))
        }
    }

    static let key: ECPrivateKey = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))
        .pinned(to: "openssl").generateECKeyPair(curve: .p256)
    static let data = Array("hash me first".utf8)

    static func framework(_ ranking: DeviceRanking, _ devices: [RawECDSADevice], policy: Policy = Policy()) throws -> CryptoFramework {
        let platform = Platform(
            name: "composition-test", clockHz: nil, softwarePriority: ["openssl"], deviceRanking: ranking,
            makeProviders: { devices + [OpenSSLProvider()] })
        return try CryptoFramework(platform: platform, policy: .inMemory(policy))
    }

    static func sign(_ fw: CryptoFramework) throws -> OperationReport {
        try fw.perform(.signEC(.ecdsaSHA256, key: key, data: data)).report
    }

    @Test("hardware first: the raw-ECDSA device signs SHA-256 of the data, computed by openssl")
    func ecdsaComposes() throws {
        let device = RawECDSADevice("ec/0")
        let fw = try Self.framework(.hardwareFirst, [device])
        let report = try Self.sign(fw)
        #expect(report.provider == "ec/0")
        #expect(report.composedWith?.rawMechanism == .ecdsa)
        #expect(report.composedWith?.digestProvider == "openssl")
        #expect(fw.stats(for: "openssl")?.served == ["digest": 1])
        #expect(fw.stats(for: "ec/0")?.served == ["signEC": 1])
        let hash = try fw.pinned(to: "openssl").digest(.sha256, data: Self.data)
        #expect(device.signed.withLock { $0 } == [hash])
    }

    @Test("software first: openssl serves whole; the composition only when the policy leaves nothing whole")
    func softwareFirst() throws {
        let device = RawECDSADevice("ec/0")
        var policy = Policy()
        let fw = try Self.framework(.softwareFirst, [device], policy: policy)
        #expect(try Self.sign(fw).provider == "openssl")
        policy.disable(provider: "openssl", mechanisms: [Mechanism.ecdsaSHA256])
        fw.setPolicy(policy)
        let report = try Self.sign(fw)
        #expect(report.provider == "ec/0" && report.composedWith?.digestProvider == "openssl")
        policy.disable(provider: "openssl", mechanisms: [Mechanism.sha256])
        fw.setPolicy(policy)
        #expect(throws: CryptoError.self) { try Self.sign(fw) }
    }

    @Test("hardware first: a whole device and a composed one compete by load; a tie goes to the whole mechanism")
    func wholeAndComposedByLoad() throws {
        let composed = RawECDSADevice("ec/0")
        let whole = RawECDSADevice("ec/1", mechanisms: [.ecdsa, .ecdsaSHA256])
        let fw = try Self.framework(.hardwareFirst, [composed, whole])
        let tie = try Self.sign(fw)
        #expect(tie.provider == "ec/1" && tie.composedWith == nil)
        whole.loadValue.store(3, ordering: .relaxed)
        let lighter = try Self.sign(fw)
        #expect(lighter.provider == "ec/0" && lighter.composedWith != nil)
    }

    @Test("a device that lists the whole mechanism never composes it, even when the policy disables it there")
    func listingDeviceDoesNotCompose() throws {
        let whole = RawECDSADevice("ec/1", mechanisms: [.ecdsa, .ecdsaSHA256])
        var policy = Policy()
        policy.disable(provider: "ec/1", mechanisms: [Mechanism.ecdsaSHA256])
        let fw = try Self.framework(.hardwareFirst, [whole], policy: policy)
        #expect(try Self.sign(fw).provider == "openssl")
    }
}
