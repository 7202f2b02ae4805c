import CryptoFramework

/// The openssl provider's mechanism table: what it registers with the
/// framework, as a KCF provider registers its `crypto_mech_info_t` array.
enum OpenSSLMechanisms {
    /// RSA modulus sizes libcrypto serves here (OpenSSL 3's RSA_MIN_MODULUS_BITS
    /// is 512; 16384 is the framework's ceiling).
    static let rsaBits = (min: 512, max: 16384)
    /// DH prime sizes (OpenSSL 3's DH_MIN_MODULUS_BITS is 512, OPENSSL_DH_MAX_MODULUS_BITS 10000).
    static let dhBits = (min: 512, max: 10000)
    /// HMAC key sizes in bits: 1 byte to 1 KiB.
    static let hmacKeyBits = (min: 8, max: 8192)

    static let table: [MechanismInfo] = {
        var table = MechanismInfo.rsaTable(bits: rsaBits.min...rsaBits.max) + MechanismInfo.dhTable(bits: dhBits.min...dhBits.max)
        for hash in DigestAlgorithm.allCases {
            table.append(MechanismInfo(hash.digestMechanism, flags: .digest))
            table.append(MechanismInfo(hash.hmacMechanism, minKeyBits: hmacKeyBits.min, maxKeyBits: hmacKeyBits.max, flags: [.sign, .verify]))
        }
        // EC: ECDSA and ECDH on P-256/384/521, Ed25519, X25519 (libcrypto's EC, ED25519 and X25519 keys).
        table += MechanismInfo.ecdsaTable(curves: .prime) + MechanismInfo.ed25519Table()
        table.append(MechanismInfo.x25519KeyPairEntry())
        table.append(MechanismInfo.ecdhEntry(curves: ECCurves.prime.union(.x25519)))
        for aes: Mechanism in [.aesECB, .aesCBC, .aesCTR, .aesGCM] {
            table.append(MechanismInfo(aes, minKeyBits: 128, maxKeyBits: 256, flags: [.encrypt, .decrypt]))
        }
        for des3: Mechanism in [.des3ECB, .des3CBC] {
            table.append(MechanismInfo(des3, minKeyBits: 192, maxKeyBits: 192, flags: [.encrypt, .decrypt]))
        }
        table += MechanismInfo.aesKeyWrapTable()
        return table
    }()
}
