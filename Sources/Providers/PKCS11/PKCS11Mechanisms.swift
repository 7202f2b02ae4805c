internal import CPKCS11
import CryptoFramework

/// What a token lists (C_GetMechanismList/C_GetMechanismInfo) as the
/// framework's mechanism table: the mechanisms this provider knows how to
/// drive, with the token's key-size range and flags, intersected with the
/// operations implemented here. CKF_HW passes through, so a token that says
/// it is hardware is preferred like hardware.
enum PKCS11Mechanisms {
    /// Operations this provider serves per mechanism (besides CKF_HW).
    static let served: [Mechanism: MechanismFlags] = {
        var table: [Mechanism: MechanismFlags] = [
            .rsaPKCS: [.sign, .verify], .rsaX509: [.sign, .verify], .rsaPKCSPSS: [.sign, .verify],
            .rsaPKCSKeyPairGen: [.generateKeyPair],
            .dhPKCSKeyPairGen: [.generateKeyPair], .dhPKCSDerive: [.derive],
        ]
        for m: Mechanism in [.sha1RSAPKCS, .sha224RSAPKCS, .sha256RSAPKCS, .sha384RSAPKCS, .sha512RSAPKCS,
                             .sha1RSAPKCSPSS, .sha224RSAPKCSPSS, .sha256RSAPKCSPSS, .sha384RSAPKCSPSS, .sha512RSAPKCSPSS] {
            table[m] = [.sign, .verify]
        }
        for m: Mechanism in [.sha1, .sha224, .sha256, .sha384, .sha512] { table[m] = [.digest] }
        return table
    }()

    /// PKCS#11 gives RSA and DH key sizes in bits; others (not served here) in bytes.
    static func info(_ type: CK_MECHANISM_TYPE, _ ck: CK_MECHANISM_INFO) -> MechanismInfo? {
        guard let mechanism = Mechanism(value: UInt64(type)), let served = served[mechanism] else { return nil }
        let tokenFlags = MechanismFlags(rawValue: UInt64(ck.flags))
        let flags = tokenFlags.intersection(served.union(.hardware))
        guard !flags.subtracting(.hardware).isEmpty else { return nil }
        let isDigest = served == [.digest]
        return MechanismInfo(
            mechanism, minKeyBits: isDigest ? 0 : Int(clamping: ck.ulMinKeySize), maxKeyBits: isDigest ? 0 : Int(clamping: ck.ulMaxKeySize),
            flags: flags)
    }
}
