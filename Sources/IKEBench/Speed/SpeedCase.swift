import CryptoFramework

/// One line of the speed table: an operation of one mechanism at one key size
/// (and, for EC, on one curve).
struct SpeedCase: Sendable {
    enum Operation: String, Sendable { case sign, verify, generate, derive }

    let mechanism: Mechanism
    let operation: Operation
    let bits: Int
    /// `openssl speed` algorithm whose figure this line is compared with, if any.
    let opensslAlgorithm: String?
    /// The curve of an EC line; nil for RSA and DH.
    var curve: ECCurve? = nil

    /// RSA sign and verify with CKM_RSA_PKCS over a 36-byte input (what both IKEv1
    /// and `openssl speed rsa` sign), and DH generate/derive in the IKE MODP groups.
    /// `hashAndSign` adds CKM_SHA256_RSA_PKCS sign and verify per RSA size, which
    /// t2000 composes (Selection rule 6: sparcfp's SHA-256, ncp/0's CKM_RSA_PKCS).
    static func defaults(rsaBits: [Int], dhGroups: [Int], hashAndSign: Bool = false) -> [SpeedCase] {
        var cases: [SpeedCase] = []
        for bits in rsaBits {
            cases.append(SpeedCase(mechanism: .rsaPKCS, operation: .sign, bits: bits, opensslAlgorithm: "rsa\(bits)"))
            cases.append(SpeedCase(mechanism: .rsaPKCS, operation: .verify, bits: bits, opensslAlgorithm: "rsa\(bits)"))
            if hashAndSign {
                cases.append(SpeedCase(mechanism: .sha256RSAPKCS, operation: .sign, bits: bits, opensslAlgorithm: nil))
                cases.append(SpeedCase(mechanism: .sha256RSAPKCS, operation: .verify, bits: bits, opensslAlgorithm: nil))
            }
        }
        for group in dhGroups {
            guard let g = DHGroup.ike(group) else { continue }
            cases.append(SpeedCase(mechanism: .dhPKCSKeyPairGen, operation: .generate, bits: g.bits, opensslAlgorithm: nil))
            cases.append(SpeedCase(mechanism: .dhPKCSDerive, operation: .derive, bits: g.bits, opensslAlgorithm: nil))
        }
        return cases
    }

    /// The EC lines, each beside the `openssl speed` algorithm that does the
    /// same: CKM_ECDSA over a hash as long as the curve's (P-256, P-384), ECDH
    /// with CKD_NULL (P-256, X25519), Ed25519 over a 32-byte message.
    static let ec: [SpeedCase] = [
        SpeedCase(mechanism: .ecdsa, operation: .sign, bits: 256, opensslAlgorithm: "ecdsap256", curve: .p256),
        SpeedCase(mechanism: .ecdsa, operation: .verify, bits: 256, opensslAlgorithm: "ecdsap256", curve: .p256),
        SpeedCase(mechanism: .ecdsa, operation: .sign, bits: 384, opensslAlgorithm: "ecdsap384", curve: .p384),
        SpeedCase(mechanism: .ecdsa, operation: .verify, bits: 384, opensslAlgorithm: "ecdsap384", curve: .p384),
        SpeedCase(mechanism: .ecdh1Derive, operation: .derive, bits: 256, opensslAlgorithm: "ecdhp256", curve: .p256),
        SpeedCase(mechanism: .ecdh1Derive, operation: .derive, bits: 256, opensslAlgorithm: "ecdhx25519", curve: .x25519),
        SpeedCase(mechanism: .eddsa, operation: .sign, bits: 256, opensslAlgorithm: "ed25519", curve: .ed25519),
        SpeedCase(mechanism: .eddsa, operation: .verify, bits: 256, opensslAlgorithm: "ed25519", curve: .ed25519),
    ]

    var group: DHGroup? { DHGroup.allIKE.first { $0.bits == bits } }

    /// Names the line across platforms (mechanism, operation, size or curve).
    var lineKey: String { "\(mechanism.name) \(operation.rawValue) \(curve.map { "\($0)" } ?? String(bits))" }

    /// The CKF flag a provider must list for the mechanism to serve this line.
    var requiredFlag: MechanismFlags {
        switch operation {
        case .sign: .sign
        case .verify: .verify
        case .generate: .generateKeyPair
        case .derive: .derive
        }
    }

    /// The operation libsodium does for this line when called directly, if any.
    var directSodium: SodiumDirect.Operation? {
        switch (curve, operation) {
        case (.ed25519, .sign): .ed25519Sign
        case (.ed25519, .verify): .ed25519Verify
        case (.x25519, .derive): .x25519
        default: nil
        }
    }

    /// What one operation signs: a hash as long as the curve's field for ECDSA, 36 bytes for RSA, 32 for Ed25519.
    var message: [UInt8] {
        [UInt8](repeating: 0x5a, count: curve.map { $0.family == .weierstrass ? $0.fieldByteCount : 32 } ?? 36)
    }
}
