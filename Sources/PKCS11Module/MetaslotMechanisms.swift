internal import CPKCS11
import CryptoFramework

/// The slot's mechanism list, Solaris metaslot style: the union over every
/// active provider of what the policy allows, key sizes widened to cover
/// them all, flags OR'ed (CKF_HW when a hardware provider serves it). Only
/// mechanisms the module serves completely are listed; the CBC_PAD modes
/// (PKCS#7 padding around the framework's CBC) follow their CBC mechanism,
/// the _HMAC_GENERAL forms (the HMAC cut to a length) their HMAC, and the
/// secret-key generators the `random` pseudo-mechanism.
public struct MetaslotMechanism: Sendable, Hashable {
    public let type: UInt
    public let minKeySize: UInt
    public let maxKeySize: UInt
    public let flags: UInt

    /// The CKM_ name (the module's own mechanisms named as pkcs11t.h names them).
    public var name: String {
        switch type {
        case MetaslotMechanisms.aesCBCPad: "CKM_AES_CBC_PAD"
        case MetaslotMechanisms.des3CBCPad: "CKM_DES3_CBC_PAD"
        case MetaslotMechanisms.genericSecretKeyGen: "CKM_GENERIC_SECRET_KEY_GEN"
        case MetaslotMechanisms.aesKeyGen: "CKM_AES_KEY_GEN"
        case MetaslotMechanisms.des3KeyGen: "CKM_DES3_KEY_GEN"
        default:
            if let (hmac, general) = HMACMechanism.resolve(CK_MECHANISM_TYPE(type)), general { HMACMechanism.generalName(hmac) }
            else { Mechanism(value: UInt64(type))?.name ?? "0x" + String(type, radix: 16) }
        }
    }
}

public enum MetaslotMechanisms {
    /// Framework mechanisms the module serves through C_Sign/C_Verify, C_Digest,
    /// C_Encrypt/C_Decrypt, C_GenerateKeyPair and C_DeriveKey.
    static let served: [Mechanism] = [
        .rsaPKCSKeyPairGen, .rsaPKCS, .rsaX509, .md5RSAPKCS, .sha1RSAPKCS, .rsaPKCSPSS, .sha1RSAPKCSPSS,
        .dhPKCSKeyPairGen, .dhPKCSDerive,
        .sha256RSAPKCS, .sha384RSAPKCS, .sha512RSAPKCS, .sha256RSAPKCSPSS, .sha384RSAPKCSPSS, .sha512RSAPKCSPSS,
        .sha224RSAPKCS, .sha224RSAPKCSPSS,
        .ecKeyPairGen, .ecdsa, .ecdsaSHA1, .ecdsaSHA224, .ecdsaSHA256, .ecdsaSHA384, .ecdsaSHA512, .ecdh1Derive,
        .ecEdwardsKeyPairGen, .ecMontgomeryKeyPairGen, .eddsa,
        .des3ECB, .des3CBC, .aesECB, .aesCBC, .aesCTR, .aesGCM,
        .md5, .sha1, .sha256, .sha224, .sha384, .sha512,
        .md5HMAC, .sha1HMAC, .sha256HMAC, .sha224HMAC, .sha384HMAC, .sha512HMAC,
        .rsaPKCSOAEP, .aesKeyWrap, .aesKeyWrapPad,
    ]
    private static let servedSet = Set(served)

    /// PKCS#11 values of the module's own mechanisms.
    static let aesCBCPad: UInt = 0x1085, des3CBCPad: UInt = 0x136
    static let genericSecretKeyGen: UInt = 0x350, aesKeyGen: UInt = 0x1080, des3KeyGen: UInt = 0x131

    /// The _HMAC_GENERAL values, each following its HMAC.
    static let hmacGeneral: [UInt] = DigestAlgorithm.allCases.map { HMACMechanism.generalValue($0.hmacMechanism) }

    /// Every value the slot may list, in value order.
    static let candidates: [UInt] = (served.map { UInt($0.value) } + [aesCBCPad, des3CBCPad, genericSecretKeyGen, aesKeyGen, des3KeyGen]
        + hmacGeneral).sorted()

    /// Mechanisms whose key sizes PKCS#11 gives in bytes (v2.40 §2.1.5 for
    /// AES, DES3, generic secret keys and HMAC); the rest are in bits.
    static func keySizesInBytes(_ mechanism: Mechanism) -> Bool {
        CipherRules.blockLength(mechanism) != nil || DigestAlgorithm(hmacMechanism: mechanism) != nil
    }

    /// Whether some active provider may serve the `random` pseudo-mechanism now.
    static func randomAllowed(_ framework: CryptoFramework) -> Bool {
        union(.random, framework, framework.policy) != nil
    }

    /// The list as C_GetMechanismList gives it now, in value order. The policy
    /// file is re-read first, so a change since the last call is seen.
    /// `reload: false` takes the policy the registry holds (it re-checks the
    /// file at most every 100 ms), for the checks in every C_*Init.
    public static func current(_ framework: CryptoFramework, reload: Bool = true) -> [MetaslotMechanism] {
        if reload { try? framework.reloadPolicy() }  // a malformed file keeps the policy in force (the registry reports why)
        let policy = framework.policy
        return candidates.compactMap { entry($0, framework, policy) }
    }

    /// The slot's entry for one mechanism value under `policy`, or nil when it is not listed.
    static func entry(_ type: UInt, _ framework: CryptoFramework, _ policy: Policy) -> MetaslotMechanism? {
        switch type {
        case aesCBCPad, des3CBCPad:
            // The _PAD modes follow their CBC mechanism.
            guard let base = entry(type == aesCBCPad ? UInt(Mechanism.aesCBC.value) : UInt(Mechanism.des3CBC.value), framework, policy)
            else { return nil }
            return MetaslotMechanism(type: type, minKeySize: base.minKeySize, maxKeySize: base.maxKeySize, flags: base.flags)
        case _ where hmacGeneral.contains(type):
            guard let (hmac, _) = HMACMechanism.resolve(CK_MECHANISM_TYPE(type)), let base = entry(UInt(hmac.value), framework, policy)
            else { return nil }
            return MetaslotMechanism(type: type, minKeySize: base.minKeySize, maxKeySize: base.maxKeySize, flags: base.flags)
        case genericSecretKeyGen, aesKeyGen, des3KeyGen:
            // Secret keys are random bytes: the generators follow `random`.
            guard union(.random, framework, policy) != nil else { return nil }
            let (low, high): (UInt, UInt) = type == genericSecretKeyGen ? (8, 8192) : type == aesKeyGen ? (16, 32) : (24, 24)
            return MetaslotMechanism(type: type, minKeySize: low, maxKeySize: high, flags: UInt(MechanismFlags.generate.rawValue))
        default:
            guard let mechanism = Mechanism(value: UInt64(type)), servedSet.contains(mechanism),
                let u = union(mechanism, framework, policy)
            else { return nil }
            let wrapping = AESKeyWrap.mechanisms.contains(mechanism)
            let bytes = keySizesInBytes(mechanism) || wrapping
            let (low, high) = bytes ? (u.min / 8, u.max / 8) : (u.min, u.max)
            var flags = u.flags.intersection([.hardware, .encrypt, .decrypt, .digest, .sign, .verify, .generateKeyPair, .derive, .ecAny])
            // The module wraps with RSA PKCS#1 v1.5 and OAEP and AES key wrap (C_WrapKey); the
            // key-wrap mechanisms serve no C_Encrypt.
            if wrapping {
                flags = flags.subtracting([.encrypt, .decrypt]).union([.wrap, .unwrap])
            } else if (mechanism == .rsaPKCS || mechanism == .rsaPKCSOAEP) && flags.contains(.encrypt) {
                flags.formUnion([.wrap, .unwrap])
            }
            return MetaslotMechanism(type: type, minKeySize: UInt(low), maxKeySize: UInt(high), flags: UInt(flags.rawValue))
        }
    }

    /// Key sizes widened over, and flags OR'ed across, every active provider
    /// the policy lets serve `mechanism` (CKF_HW when one is hardware for it);
    /// for a hash-and-sign mechanism, also a device's raw half composed with a
    /// software digest (Selection rule 6), so C_SignInit accepts
    /// CKM_ECDSA_SHA256 on t5220, where only ncp/0's CKM_ECDSA serves it.
    private static func union(_ mechanism: Mechanism, _ framework: CryptoFramework, _ policy: Policy) -> (min: Int, max: Int, flags: MechanismFlags)? {
        if let (digest, raw) = composedInModule(mechanism) {
            // Listed while some provider may digest and some may sign or verify with the raw half.
            guard union(digest, framework, policy) != nil, let r = union(raw, framework, policy) else { return nil }
            let flags = r.flags.intersection([.hardware, .sign, .verify])
            return flags.isDisjoint(with: [.sign, .verify]) ? nil : (r.min, r.max, flags)
        }
        let whole = union(mechanism, framework, policy, devicesOnly: false)
        guard let composition = MechanismComposition.of(mechanism),
            union(composition.digest, framework, policy, softwareOnly: true) != nil,
            let raw = union(composition.raw, framework, policy, devicesOnly: true)
        else { return whole }
        // A PSS composition serves signing only (docs/DESIGN.md, rule 6).
        let served: MechanismFlags = composition.signOnly ? [.hardware, .sign] : [.hardware, .sign, .verify, .ecAny]
        let composed = (min: raw.min, max: raw.max, flags: raw.flags.intersection(served))
        guard let whole else { return composed }
        return (min(whole.min, composed.min), max(whole.max, composed.max), whole.flags.union(composed.flags))
    }

    /// A hash-and-sign mechanism no provider serves whole, which the module
    /// composes itself from two framework requests: its digest (a stream, fed
    /// as the data comes) and the raw signature over the DigestInfo.
    /// CKM_MD5_RSA_PKCS: Solaris offered MD5 and PKCS#1 v1.5 signatures, and
    /// applications and suites still ask for it (docs/pkcs11-module.md).
    static func composedInModule(_ mechanism: Mechanism) -> (digest: Mechanism, raw: Mechanism)? {
        mechanism == .md5RSAPKCS ? (.md5, .rsaPKCS) : nil
    }

    private static func union(
        _ mechanism: Mechanism, _ framework: CryptoFramework, _ policy: Policy, devicesOnly: Bool = false, softwareOnly: Bool = false
    ) -> (min: Int, max: Int, flags: MechanismFlags)? {
        var result: (min: Int, max: Int, flags: MechanismFlags)?
        for provider in framework.providers {
            guard let info = provider.info(for: mechanism), policy.isActive(provider: provider.name),
                policy.allows(provider: provider.name, mechanism: mechanism), framework.loadError(provider: provider.name) == nil
            else { continue }
            let device = provider.isHardware(for: mechanism)
            if (devicesOnly && !device) || (softwareOnly && device) { continue }
            var flags = info.flags
            if provider.isHardware(for: mechanism) { flags.insert(.hardware) }
            if let seen = result {
                result = (min(seen.min, info.minKeyBits), max(seen.max, info.maxKeyBits), seen.flags.union(flags))
            } else {
                result = (info.minKeyBits, info.maxKeyBits, flags)
            }
        }
        return result
    }
}
