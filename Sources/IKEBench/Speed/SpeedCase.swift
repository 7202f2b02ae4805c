import CryptoFramework

/// One line of the speed table: an operation of one mechanism at one key size.
struct SpeedCase: Sendable {
    enum Operation: String, Sendable { case sign, verify, generate, derive }

    let mechanism: Mechanism
    let operation: Operation
    let bits: Int
    /// `openssl speed` algorithm whose figure this line is compared with, if any.
    let opensslAlgorithm: String?

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

    var group: DHGroup? { DHGroup.allIKE.first { $0.bits == bits } }

    /// Names the line across platforms (mechanism, operation, size).
    var lineKey: String { "\(mechanism.name) \(operation.rawValue) \(bits)" }

    /// The CKF flag a provider must list for the mechanism to serve this line.
    var requiredFlag: MechanismFlags {
        switch operation {
        case .sign: .sign
        case .verify: .verify
        case .generate: .generateKeyPair
        case .derive: .derive
        }
    }
}
