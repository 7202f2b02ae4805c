// Building blocks for providers' mechanism tables and the check every provider
// makes before serving, so each provider states only its own ranges.

extension Mechanism {
    /// Every RSA signature mechanism of the catalog (those with an ``RSAScheme``).
    public static let rsaSignatureMechanisms: [Mechanism] = catalog.filter { RSAScheme($0) != nil }

    /// Every ECDSA mechanism of the catalog (CKM_ECDSA and CKM_ECDSA_SHA*).
    public static let ecdsaMechanisms: [Mechanism] = catalog.filter {
        guard let scheme = ECSignatureScheme($0) else { return false }
        return scheme.family == .weierstrass
    }
}

extension MechanismInfo {
    /// Sign and verify with every RSA signature mechanism, encrypt and decrypt
    /// with CKM_RSA_X_509, CKM_RSA_PKCS and CKM_RSA_PKCS_OAEP (``RSAEncryption``
    /// over the provider's raw RSA), and RSA key-pair generation, for moduli in `bits`.
    public static func rsaTable(bits: ClosedRange<Int>, extraFlags: MechanismFlags = []) -> [MechanismInfo] {
        Mechanism.rsaSignatureMechanisms.map {
            let encryption: MechanismFlags = RSAEncryption.mechanisms.contains($0) ? [.encrypt, .decrypt] : []
            return MechanismInfo($0, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound, flags: [.sign, .verify, encryption, extraFlags])
        } + [
            MechanismInfo(.rsaPKCSOAEP, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                flags: [.encrypt, .decrypt, extraFlags]),
            MechanismInfo(.rsaPKCSKeyPairGen, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                flags: [.generateKeyPair, extraFlags])
        ]
    }

    /// CKM_AES_KEY_WRAP and CKM_AES_KEY_WRAP_PAD with 128- to 256-bit keys:
    /// wrap and unwrap, served as encrypt and decrypt requests (``AESKeyWrap``).
    public static func aesKeyWrapTable(extraFlags: MechanismFlags = []) -> [MechanismInfo] {
        AESKeyWrap.mechanisms.map {
            MechanismInfo($0, minKeyBits: 128, maxKeyBits: 256, flags: [.encrypt, .decrypt, .wrap, .unwrap, extraFlags])
        }
    }

    /// DH key-pair generation and derivation for primes in `bits`.
    public static func dhTable(bits: ClosedRange<Int>, extraFlags: MechanismFlags = []) -> [MechanismInfo] {
        [
            MechanismInfo(.dhPKCSKeyPairGen, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                flags: [.generateKeyPair, extraFlags]),
            MechanismInfo(.dhPKCSDerive, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                flags: [.derive, extraFlags]),
        ]
    }
}

extension MechanismInfo {
    /// The CKF_EC_* flags of a prime-curve mechanism: over F_p, curves named by
    /// OID, points uncompressed and compressed (the framework decompresses).
    public static let primeCurveFlags: MechanismFlags = [.ecFp, .ecNamedCurve, .ecUncompress, .ecCompress]

    /// ECDSA sign and verify with every ECDSA mechanism, and key-pair generation,
    /// on the prime curves in `curves`.
    public static func ecdsaTable(curves: ECCurves, extraFlags: MechanismFlags = []) -> [MechanismInfo] {
        let bits = curves.keyBitRange
        return Mechanism.ecdsaMechanisms.map {
            MechanismInfo($0, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                flags: [.sign, .verify, primeCurveFlags, extraFlags], curves: curves)
        } + [
            MechanismInfo(.ecKeyPairGen, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                flags: [.generateKeyPair, primeCurveFlags, extraFlags], curves: curves)
        ]
    }

    /// CKM_ECDH1_DERIVE on `curves` (prime curves and X25519); the prime-curve
    /// flags when a prime curve is among them, CKF_EC_NAMEDCURVE alone otherwise.
    public static func ecdhEntry(curves: ECCurves, extraFlags: MechanismFlags = []) -> MechanismInfo {
        let bits = curves.keyBitRange
        let ecFlags = curves.isDisjoint(with: .prime) ? MechanismFlags.ecNamedCurve : primeCurveFlags
        return MechanismInfo(.ecdh1Derive, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
            flags: [.derive, ecFlags, extraFlags], curves: curves)
    }

    /// CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_EDDSA (Ed25519).
    public static func ed25519Table(extraFlags: MechanismFlags = []) -> [MechanismInfo] {
        let bits = ECCurve.ed25519.keyBits
        return [
            MechanismInfo(.ecEdwardsKeyPairGen, minKeyBits: bits, maxKeyBits: bits,
                flags: [.generateKeyPair, .ecNamedCurve, extraFlags], curves: .ed25519),
            MechanismInfo(.eddsa, minKeyBits: bits, maxKeyBits: bits, flags: [.sign, .verify, .ecNamedCurve, extraFlags], curves: .ed25519),
        ]
    }

    /// CKM_EC_MONTGOMERY_KEY_PAIR_GEN (X25519); its derive is in ``ecdhEntry(curves:extraFlags:)``.
    public static func x25519KeyPairEntry(extraFlags: MechanismFlags = []) -> MechanismInfo {
        let bits = ECCurve.x25519.keyBits
        return MechanismInfo(.ecMontgomeryKeyPairGen, minKeyBits: bits, maxKeyBits: bits,
            flags: [.generateKeyPair, .ecNamedCurve, extraFlags], curves: .x25519)
    }
}

extension ECCurves {
    /// The smallest and largest key size among the curves (0...0 for none).
    var keyBitRange: ClosedRange<Int> {
        let bits = members.map(\.keyBits)
        return (bits.min() ?? 0)...(bits.max() ?? 0)
    }
}

extension CryptoProvider {
    /// This provider's table entry for `request`; throws what the registry
    /// expects of a provider asked for something outside its table: mechanism
    /// invalid (mechanism or operation not listed), or key size out of range.
    public func tableEntry(for request: CryptoRequest) throws -> MechanismInfo {
        // One read of the request's mechanism, key size and curve (each read copies the request).
        let (mechanism, keyBits, curve) = request.selectionFacts
        guard let info = descriptor.info(for: mechanism), info.flags.contains(request.requiredFlag) else {
            throw unsupported(request)
        }
        guard info.accepts(keyBits: keyBits) else {
            throw CryptoError(.keySizeRange,
                "\(descriptor.name) serves \(mechanism) with \(info.minKeyBits)...\(info.maxKeyBits)-bit keys, not \(keyBits ?? 0)")
        }
        if let curve { try ECInputRules.checkKeyFamily(mechanism, curve: curve) }
        guard info.accepts(keyBits: keyBits, curve: curve) else {
            throw CryptoError(.keySizeRange,
                "\(descriptor.name) serves \(mechanism) on \(info.curves) only, not \(curve.map(\.name) ?? "")")
        }
        return info
    }
}
