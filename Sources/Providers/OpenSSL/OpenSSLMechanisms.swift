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
        let signVerify: MechanismFlags = [.sign, .verify]
        let rsaSignatures: [Mechanism] = [
            .rsaPKCS, .rsaX509,
            .sha1RSAPKCS, .sha224RSAPKCS, .sha256RSAPKCS, .sha384RSAPKCS, .sha512RSAPKCS,
            .rsaPKCSPSS,
            .sha1RSAPKCSPSS, .sha224RSAPKCSPSS, .sha256RSAPKCSPSS, .sha384RSAPKCSPSS, .sha512RSAPKCSPSS,
        ]
        var table = rsaSignatures.map {
            MechanismInfo($0, minKeyBits: rsaBits.min, maxKeyBits: rsaBits.max, flags: signVerify)
        }
        table.append(MechanismInfo(.rsaPKCSKeyPairGen, minKeyBits: rsaBits.min, maxKeyBits: rsaBits.max, flags: .generateKeyPair))
        table.append(MechanismInfo(.dhPKCSKeyPairGen, minKeyBits: dhBits.min, maxKeyBits: dhBits.max, flags: .generateKeyPair))
        table.append(MechanismInfo(.dhPKCSDerive, minKeyBits: dhBits.min, maxKeyBits: dhBits.max, flags: .derive))
        for hash in HashAlgorithm.allCases {
            table.append(MechanismInfo(hash.digestMechanism, flags: .digest))
            table.append(MechanismInfo(hash.hmacMechanism, minKeyBits: hmacKeyBits.min, maxKeyBits: hmacKeyBits.max, flags: signVerify))
        }
        table.append(MechanismInfo(.aesCBC, minKeyBits: 128, maxKeyBits: 256, flags: [.encrypt, .decrypt]))
        table.append(MechanismInfo(.des3CBC, minKeyBits: 192, maxKeyBits: 192, flags: [.encrypt, .decrypt]))
        return table
    }()
}
