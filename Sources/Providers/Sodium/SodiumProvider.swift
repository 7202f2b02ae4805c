internal import CSodium
import CryptoFramework

/// `sodium`: libsodium's `randombytes_buf` (the kernel's getrandom()
/// underneath) for the random pseudo-mechanism, Ed25519 (CKM_EDDSA) and
/// X25519 (CKM_ECDH1_DERIVE on curve25519 only, as its table declares).
public final class SodiumProvider: CryptoProvider {
    public let descriptor = ProviderDescriptor(
        name: "sodium", summary: "libsodium \(SodiumProvider.version): Ed25519, X25519, random numbers",
        // CKM_EDDSA preferred: libsodium's Ed25519 signs and verifies about twice as fast
        // as libcrypto's (docs/performance.md, `ikebench speed`), so software ranks it first
        // (Selection rule 2). X25519 is not: libcrypto's is as fast or faster.
        mechanisms: MechanismInfo.ed25519Table().map { $0.mechanism == .eddsa ? $0.with(preference: .preferred) : $0 } + [
            MechanismInfo.x25519KeyPairEntry(),
            // X25519 only: the declared curve keeps P-256 derives (also 256 bits) away.
            MechanismInfo.ecdhEntry(curves: .x25519),
            MechanismInfo(.random, flags: [.generate]),
        ])

    public init() throws {
        // sodium_init returns 0 on success, 1 if already initialised, -1 on failure.
        guard sodium_init() >= 0 else {
            throw CryptoError(.providerFailed, "libsodium failed to initialise (sodium_init)")
        }
    }

    static var version: String { String(cString: sodium_version_string()) }

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        _ = try tableEntry(for: request)
        switch request {
        case .random(let count):
            try CryptoRequest.checkRandomCount(count)
            var out = [UInt8](repeating: 0, count: count)
            if count > 0 { out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) } }
            return .bytes(out)
        case .signEC(let mechanism, let key, let data):
            try ECInputRules.checkSign(mechanism, curve: key.curve)
            return .bytes(try SodiumEd25519.sign(key: key, data: data))
        case .verifyEC(let mechanism, let key, let data, let signature):
            try ECInputRules.checkVerify(mechanism, curve: key.curve, signature: signature)
            guard ECInputRules.hasIntegersInRange(signature, curve: key.curve) else { return .verified(false) }
            return .verified(SodiumEd25519.verify(key: key, data: data, signature: signature))
        case .generateECKeyPair(let curve):
            return .ecKeyPair(try curve == .ed25519 ? SodiumEd25519.generate() : SodiumX25519.generate())
        case .deriveECDH(let privateKey, let peerPublicValue, let parameters):
            return .secret(try SodiumX25519.derive(
                privateKey: privateKey, peerPublicValue: peerPublicValue, parameters: parameters, inputsChecked: context.inputsChecked))
        default:
            throw unsupported(request)
        }
    }
}
