internal import CPKCS11
import CryptoFramework

/// The slot's mechanism list, Solaris metaslot style: the union over every
/// active provider of what the policy allows, key sizes widened to cover
/// them all, flags OR'ed (CKF_HW when a hardware provider serves it). Only
/// mechanisms the module serves completely are listed; the CBC_PAD modes
/// (PKCS#7 padding around the framework's CBC) follow their CBC mechanism,
/// the secret-key generators follow the `random` pseudo-mechanism.
public struct MetaslotMechanism: Sendable, Hashable {
    public let type: UInt
    public let name: String
    public let minKeySize: UInt
    public let maxKeySize: UInt
    public let flags: UInt
}

public enum MetaslotMechanisms {
    /// Framework mechanisms the module serves through C_Sign/C_Verify, C_Digest,
    /// C_Encrypt/C_Decrypt, C_GenerateKeyPair and C_DeriveKey.
    static let served: Set<Mechanism> = [
        .rsaPKCS, .rsaX509, .sha1RSAPKCS, .sha224RSAPKCS, .sha256RSAPKCS, .sha384RSAPKCS, .sha512RSAPKCS,
        .rsaPKCSPSS, .sha1RSAPKCSPSS, .sha224RSAPKCSPSS, .sha256RSAPKCSPSS, .sha384RSAPKCSPSS, .sha512RSAPKCSPSS,
        .sha1, .sha224, .sha256, .sha384, .sha512,
        .rsaPKCSKeyPairGen, .dhPKCSKeyPairGen, .dhPKCSDerive,
        .aesCBC, .des3CBC,
    ]
    /// PKCS#11 values of the module's own mechanisms.
    static let aesCBCPad: UInt = 0x1085, des3CBCPad: UInt = 0x136
    static let genericSecretKeyGen: UInt = 0x350, aesKeyGen: UInt = 0x1080, des3KeyGen: UInt = 0x131

    /// The list as C_GetMechanismList gives it now, in value order. The policy
    /// file is re-read first, so a change since the last call is seen.
    /// `reload: false` takes the policy the registry holds (it re-checks the
    /// file at most every 100 ms), for the checks in every C_*Init.
    public static func current(_ framework: CryptoFramework, reload: Bool = true) -> [MetaslotMechanism] {
        if reload { try? framework.reloadPolicy() }  // a malformed file keeps the policy in force (the registry reports why)
        let policy = framework.policy
        var union: [Mechanism: (min: Int, max: Int, flags: MechanismFlags)] = [:]
        for provider in framework.providers where framework.isActive(provider: provider.name) && framework.loadError(provider: provider.name) == nil {
            for info in provider.mechanisms where policy.allows(provider: provider.name, mechanism: info.mechanism) {
                var flags = info.flags
                if provider.isHardware(for: info.mechanism) { flags.insert(.hardware) }
                if let seen = union[info.mechanism] {
                    union[info.mechanism] = (min(seen.min, info.minKeyBits), max(seen.max, info.maxKeyBits), seen.flags.union(flags))
                } else {
                    union[info.mechanism] = (info.minKeyBits, info.maxKeyBits, flags)
                }
            }
        }
        var list: [MetaslotMechanism] = []
        for (mechanism, entry) in union where served.contains(mechanism) {
            // AES and DES3 key sizes are in bytes in PKCS#11 (v2.40 §2.1.5), bits elsewhere.
            let bytes = mechanism == .aesCBC || mechanism == .des3CBC
            let (low, high) = bytes ? (entry.min / 8, entry.max / 8) : (entry.min, entry.max)
            let flags = entry.flags.intersection([.hardware, .encrypt, .decrypt, .digest, .sign, .verify, .generateKeyPair, .derive])
            list.append(MetaslotMechanism(type: UInt(mechanism.value), name: mechanism.name, minKeySize: UInt(low), maxKeySize: UInt(high), flags: UInt(flags.rawValue)))
            if mechanism == .aesCBC || mechanism == .des3CBC {
                list.append(MetaslotMechanism(
                    type: mechanism == .aesCBC ? aesCBCPad : des3CBCPad, name: mechanism.name + "_PAD",
                    minKeySize: UInt(low), maxKeySize: UInt(high), flags: UInt(flags.rawValue)))
            }
        }
        if union[.random] != nil {
            let generate = UInt(MechanismFlags.generate.rawValue)
            list.append(MetaslotMechanism(type: genericSecretKeyGen, name: "CKM_GENERIC_SECRET_KEY_GEN", minKeySize: 8, maxKeySize: 8192, flags: generate))
            list.append(MetaslotMechanism(type: aesKeyGen, name: "CKM_AES_KEY_GEN", minKeySize: 16, maxKeySize: 32, flags: generate))
            list.append(MetaslotMechanism(type: des3KeyGen, name: "CKM_DES3_KEY_GEN", minKeySize: 24, maxKeySize: 24, flags: generate))
        }
        return list.sorted { $0.type < $1.type }
    }
}
