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
            // RSA encryption: the token's CKM_RSA_X_509 under the framework's padding (RSAEncryption).
            .rsaPKCS: [.sign, .verify, .encrypt, .decrypt], .rsaX509: [.sign, .verify, .encrypt, .decrypt],
            .rsaPKCSOAEP: [.encrypt, .decrypt], .rsaPKCSPSS: [.sign, .verify],
            .rsaPKCSKeyPairGen: [.generateKeyPair],
            .dhPKCSKeyPairGen: [.generateKeyPair], .dhPKCSDerive: [.derive],
        ]
        for m: Mechanism in [.sha1RSAPKCS, .sha224RSAPKCS, .sha256RSAPKCS, .sha384RSAPKCS, .sha512RSAPKCS,
                             .sha1RSAPKCSPSS, .sha224RSAPKCSPSS, .sha256RSAPKCSPSS, .sha384RSAPKCSPSS, .sha512RSAPKCSPSS] {
            table[m] = [.sign, .verify]
        }
        for m: Mechanism in [.md5, .sha1, .sha224, .sha256, .sha384, .sha512] { table[m] = [.digest] }
        for hash in DigestAlgorithm.allCases { table[hash.hmacMechanism] = [.sign, .verify] }
        for m: Mechanism in [.aesECB, .aesCBC, .aesCTR, .aesGCM, .des3ECB, .des3CBC] { table[m] = [.encrypt, .decrypt] }
        for m in Mechanism.ecdsaMechanisms + [.eddsa] { table[m] = [.sign, .verify, .ecAny] }
        table[.ecKeyPairGen] = [.generateKeyPair, .ecAny]
        table[.ecEdwardsKeyPairGen] = [.generateKeyPair, .ecAny]
        table[.ecdh1Derive] = [.derive, .ecAny]
        return table
    }()

    /// The curves an EC mechanism serves on a token: those of its family whose
    /// size is in the token's range (SoftHSM2 2.6.1: 112...521 for the prime
    /// curves, 256...456 for Ed25519 and Ed448). ECDH stays on the prime curves:
    /// an X25519 key would need CKK_EC_MONTGOMERY, which v2.40 tokens lack.
    static func curves(_ mechanism: Mechanism, minKeyBits: Int, maxKeyBits: Int) -> ECCurves {
        let family: ECCurve.Family = mechanism == .eddsa || mechanism == .ecEdwardsKeyPairGen ? .edwards : .weierstrass
        return ECCurves(ECCurve.allCases.filter { $0.family == family && (minKeyBits...maxKeyBits).contains($0.keyBits) }.map(ECCurves.init))
    }

    /// PKCS#11 gives RSA, DH and EC key sizes in bits; AES, DES3 and HMAC
    /// (generic secret) keys in bytes (v2.40 §2.1.5), turned into bits here.
    static func info(_ type: CK_MECHANISM_TYPE, _ ck: CK_MECHANISM_INFO) -> MechanismInfo? {
        guard let mechanism = Mechanism(value: UInt64(type)), let served = served[mechanism] else { return nil }
        let tokenFlags = MechanismFlags(rawValue: UInt64(ck.flags))
        let flags = tokenFlags.intersection(served.union(.hardware))
        guard !flags.subtracting(.hardware).isEmpty else { return nil }
        let isDigest = served == [.digest]
        var (low, high) = isDigest ? (0, 0) : (Int(clamping: ck.ulMinKeySize), Int(clamping: ck.ulMaxKeySize))
        if CipherRules.blockLength(mechanism) != nil || DigestAlgorithm(hmacMechanism: mechanism) != nil {
            (low, high) = (low.multipliedReportingOverflow(by: 8).overflow ? Int.max : low * 8,
                           high.multipliedReportingOverflow(by: 8).overflow ? Int.max : high * 8)
        }
        guard served.isDisjoint(with: .ecAny) else {
            let curves = Self.curves(mechanism, minKeyBits: low, maxKeyBits: max(low, high))
            guard !curves.isEmpty else { return nil }
            let bits = curves.members.map(\.keyBits)
            return MechanismInfo(mechanism, minKeyBits: bits.min()!, maxKeyBits: bits.max()!, flags: flags, curves: curves)
        }
        return MechanismInfo(mechanism, minKeyBits: low, maxKeyBits: high, flags: flags)
    }
}
