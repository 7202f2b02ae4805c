internal import CPKCS11
import CryptoFramework

/// An active C_Sign*/C_Verify*: the mechanism and key fixed at Init. An
/// HMAC runs on a framework stream, part by part; an RSA or EC signature's
/// data is gathered by the Update calls (the framework signs whole messages;
/// a hashing mechanism's result is the same either way).
struct SignOperation: GatheringOperation {
    enum Key {
        case signing(RSAPrivateKey)
        case verifying(RSAPublicKey)
        case signingEC(ECPrivateKey)
        case verifyingEC(ECPublicKey)
        /// CKM_*_HMAC and CKM_*_HMAC_GENERAL: the MAC's stream and how many of its bytes are the signature.
        case mac(CryptoStream, length: Int)
    }

    let mechanism: Mechanism
    let key: Key
    let pss: PSSParameters?
    var data: [UInt8] = []
    var multiPart = false
    /// A hash-and-sign mechanism fed in parts: the digest stream, begun at the
    /// first Update; Final signs or verifies the digest with the raw mechanism
    /// (``prehashed(_:)``), so the message is hashed as it arrives.
    var digestStream: CryptoStream?

    /// The hash a hash-and-sign mechanism (CKM_SHA*_RSA_PKCS, _PSS,
    /// CKM_ECDSA_SHA*, CKM_MD5_RSA_PKCS) applies, nil for the raw mechanisms, EdDSA and HMAC.
    var hashedWith: DigestAlgorithm? {
        if case .pkcs1Hashed(let h)? = RSAScheme(mechanism) { return DigestAlgorithm(h) }
        if case .pssHashed(let h)? = RSAScheme(mechanism) { return DigestAlgorithm(h) }
        if case .ecdsaHashed(let h)? = ECSignatureScheme(mechanism) { return DigestAlgorithm(h) }
        if let (digest, _) = MetaslotMechanisms.composedInModule(mechanism) { return DigestAlgorithm(digestMechanism: digest) }
        return nil
    }

    /// True for a mechanism no provider serves whole (CKM_MD5_RSA_PKCS): even a
    /// single-part C_Sign or C_Verify hashes on a digest stream, then signs the DigestInfo.
    var composedInModule: Bool { MetaslotMechanisms.composedInModule(mechanism) != nil }

    /// The request over the whole message's `digest`: CKM_RSA_PKCS over the
    /// DigestInfo and CKM_ECDSA over the digest (the compositions of
    /// Selection rule 6, and the module's own CKM_MD5_RSA_PKCS),
    /// CKM_RSA_PKCS_PSS over the digest with the same
    /// parameters; nil when the mechanism hashes nothing.
    func prehashed(_ whole: CryptoRequest, digest: [UInt8]) -> CryptoRequest? {
        // A PSS composition's raw half takes the EMSA-PSS encoding, not the digest: PSS goes below.
        if let composition = MechanismComposition.of(mechanism), composition.rawInput != .pssEncoding {
            return whole.rawHalf(composition, digest: digest)
        }
        if let (_, raw) = MetaslotMechanisms.composedInModule(mechanism), let hash = hashedWith {
            switch whole {
            case .sign(_, let key, _, nil): return .sign(raw, key: key, data: hash.digestInfo(digest), pss: nil)
            case .verify(_, let key, _, let signature, nil):
                return .verify(raw, key: key, data: hash.digestInfo(digest), signature: signature, pss: nil)
            default: return nil
            }
        }
        guard case .pssHashed? = RSAScheme(mechanism) else { return nil }
        switch whole {
        case .sign(_, let key, _, let pss): return .sign(.rsaPKCSPSS, key: key, data: digest, pss: pss)
        case .verify(_, let key, _, let signature, let pss): return .verify(.rsaPKCSPSS, key: key, data: digest, signature: signature, pss: pss)
        default: return nil
        }
    }

    var signatureLength: Int {
        switch key {
        case .signing(let k): k.publicKey.byteCount
        case .verifying(let k): k.byteCount
        case .signingEC(let k): k.curve.signatureByteCount ?? 0
        case .verifyingEC(let k): k.curve.signatureByteCount ?? 0
        case .mac(_, let length): length
        }
    }

    /// The MAC stream of an HMAC operation, nil for a signature.
    var macStream: CryptoStream? {
        if case .mac(let stream, _) = key { return stream }
        return nil
    }

    init(_ argument: MechanismArgument, object: ObjectRecord, state: ModuleState, signing: Bool) throws(CryptokiError) {
        let entry = try state.mechanism(argument.type, flag: signing ? .sign : .verify)
        if let (hmac, general) = HMACMechanism.resolve(argument.type) {
            key = try Self.macKey(argument, hmac: hmac, general: general, object: object, entry: entry, state: state, signing: signing)
            (mechanism, pss) = (hmac, nil)
            return
        }
        guard let mechanism = Mechanism(value: UInt64(argument.type)) else { throw .mechanismInvalid }
        if RSAScheme(mechanism) != nil || mechanism == .md5RSAPKCS {
            switch (object.key, signing) {
            case (.rsaPrivate(let k), true): key = .signing(k)
            case (.rsaPublic(let k), false): key = .verifying(k)
            // A private key carries its public half: verifying with it is allowed.
            case (.rsaPrivate(let k), false): key = .verifying(k.publicKey)
            default: throw .keyTypeInconsistent
            }
            pss = try Self.pssParameters(argument, mechanism: mechanism, modulusBits: object.rsaBits)
        } else if let family = Self.ecFamily(mechanism) {
            key = try Self.ecKey(object, family: family, signing: signing)
            if mechanism == .eddsa { try Self.checkEdDSAParameters(argument) } else if argument.parameter != nil { throw .mechanismParamInvalid }
            pss = nil
        } else {
            throw .mechanismInvalid
        }
        let bits = object.keyBits
        if entry.maxKeySize > 0, !(Int(entry.minKeySize)...Int(entry.maxKeySize)).contains(bits) {
            throw CryptokiError(CKR_KEY_SIZE_RANGE)
        }
        self.mechanism = mechanism
    }

    /// An HMAC's stream, keyed with a generic secret or AES key (v2.40 §2.22:
    /// CKK_GENERIC_SECRET; SoftHSM2 and NSS also take other secret keys). An
    /// _HMAC_GENERAL mechanism takes CK_MAC_GENERAL_PARAMS, the output length
    /// in bytes (1…the digest's length); the plain one takes no parameter.
    private static func macKey(
        _ argument: MechanismArgument, hmac: Mechanism, general: Bool, object: ObjectRecord, entry: MetaslotMechanism,
        state: ModuleState, signing: Bool
    ) throws(CryptokiError) -> Key {
        guard let hash = DigestAlgorithm(hmacMechanism: hmac) else { throw .mechanismInvalid }
        let length: Int
        if general {
            guard let requested = try argument.structure(CK_ULONG.self),  // CK_MAC_GENERAL_PARAMS is a CK_ULONG
                (1...CK_ULONG(hash.digestLength)).contains(requested)
            else { throw .mechanismParamInvalid }
            length = Int(requested)
        } else {
            guard argument.parameter == nil else { throw .mechanismParamInvalid }
            length = hash.digestLength
        }
        guard case .secret(let secret) = object.key, [CKK_GENERIC_SECRET, CKK_AES].contains(object.keyType) else {
            throw .keyTypeInconsistent
        }
        // HMAC key sizes are listed in bytes.
        if entry.maxKeySize > 0, !(Int(entry.minKeySize)...Int(entry.maxKeySize)).contains(secret.count) {
            throw CryptokiError(CKR_KEY_SIZE_RANGE)
        }
        let stream = try state.call.stream(.mac(hmac, key: secret), function: signing ? "C_SignInit" : "C_VerifyInit")
        return .mac(stream, length: length)
    }

    /// The curve family an EC signature mechanism signs with, nil for any other mechanism.
    private static func ecFamily(_ mechanism: Mechanism) -> ECCurve.Family? {
        if mechanism == .eddsa { return .edwards }
        return Mechanism.ecdsaMechanisms.contains(mechanism) ? .weierstrass : nil
    }

    /// The EC key of `object` for a mechanism of `family`: CKR_KEY_TYPE_INCONSISTENT for
    /// another key type (CKM_ECDSA with an Ed25519 key), or a private key whose
    /// public half the module does not hold (one imported or loaded from the keystore).
    private static func ecKey(_ object: ObjectRecord, family: ECCurve.Family, signing: Bool) throws(CryptokiError) -> Key {
        switch (object.key, signing) {
        case (.ecPrivate(let k), true) where k.curve.family == family: return .signingEC(k)
        case (.ecPublic(let k), false) where k.curve.family == family: return .verifyingEC(k)
        case (.ecPrivate(let k), false) where k.curve.family == family:
            guard let publicKey = k.publicKey else { throw .keyTypeInconsistent }
            return .verifyingEC(publicKey)
        default: throw .keyTypeInconsistent
        }
    }

    /// CKM_EDDSA takes no parameter, or CK_EDDSA_PARAMS (v3.0 §2.3.14: CK_BBOOL
    /// phFlag, CK_ULONG ulContextDataLen, CK_BYTE_PTR pContextData, laid out as
    /// C lays them out) asking for pure Ed25519: phFlag false and no context.
    /// Ed25519ph and Ed25519ctx are not served: CKR_MECHANISM_PARAM_INVALID.
    private static func checkEdDSAParameters(_ argument: MechanismArgument) throws(CryptokiError) {
        guard let parameter = argument.parameter else { return }
        let contextLengthOffset = MemoryLayout<CK_ULONG>.alignment  // after the CK_BBOOL and its padding
        let size = contextLengthOffset + MemoryLayout<CK_ULONG>.size + MemoryLayout<UnsafeRawPointer>.size
        guard parameter.count == size else { throw .mechanismParamInvalid }
        let contextLength = parameter.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: contextLengthOffset, as: CK_ULONG.self) }
        guard parameter[0] == CK_FALSE, contextLength == 0 else { throw .mechanismParamInvalid }
    }

    /// CK_RSA_PKCS_PSS_PARAMS → the framework's parameters; required for the
    /// PSS mechanisms (v2.40 §2.1.14), and the hash must be the mechanism's own.
    private static func pssParameters(_ argument: MechanismArgument, mechanism: Mechanism, modulusBits: Int) throws(CryptokiError) -> PSSParameters? {
        guard case let scheme? = RSAScheme(mechanism) else {
            guard argument.parameter == nil else { throw .mechanismParamInvalid }  // CKM_MD5_RSA_PKCS takes none
            return nil
        }
        let implied: HashAlgorithm?
        switch scheme {
        case .pss: implied = nil
        case .pssHashed(let h): implied = h
        default:
            guard argument.parameter == nil else { throw .mechanismParamInvalid }
            return nil
        }
        guard let p = try argument.structure(CK_RSA_PKCS_PSS_PARAMS.self) else { throw .mechanismParamInvalid }
        guard let hash = HashMechanism.algorithm(p.hashAlg), implied == nil || implied == hash,
            let mgf = HashMechanism.mgf1(p.mgf)
        else { throw .mechanismParamInvalid }
        // RFC 8017 §9.1.1: emLen ≥ hLen + sLen + 2, emLen = ⌈(modBits − 1)/8⌉.
        let emLen = (modulusBits - 1 + 7) / 8
        guard p.sLen <= CK_ULONG(max(0, emLen - hash.digestLength - 2)) else { throw .mechanismParamInvalid }
        return PSSParameters(hash: hash, mgf1Hash: mgf, saltLength: Int(p.sLen))
    }
}

/// CKM_*_HMAC and CKM_*_HMAC_GENERAL values: each _GENERAL mechanism is its
/// HMAC's value + 1 in pkcs11t.h (CKM_SHA256_HMAC 0x251, _GENERAL 0x252).
enum HMACMechanism {
    /// The HMAC mechanism `type` is or truncates, and whether it is the _GENERAL form.
    static func resolve(_ type: CK_MECHANISM_TYPE) -> (Mechanism, general: Bool)? {
        for hash in DigestAlgorithm.allCases {
            let hmac = hash.hmacMechanism
            if UInt64(type) == hmac.value { return (hmac, false) }
            if UInt64(type) == hmac.value + 1 { return (hmac, true) }
        }
        return nil
    }

    static func generalValue(_ hmac: Mechanism) -> UInt { UInt(hmac.value + 1) }

    static func generalName(_ hmac: Mechanism) -> String { hmac.name + "_GENERAL" }
}

/// PKCS#11 hash mechanism and MGF values ↔ the framework's hash algorithms.
enum HashMechanism {
    static func algorithm(_ type: CK_MECHANISM_TYPE) -> HashAlgorithm? {
        HashAlgorithm.allCases.first { CK_MECHANISM_TYPE($0.digestMechanism.value) == type }
    }

    /// CKG_MGF1_SHA1 … CKG_MGF1_SHA224 (pkcs11t.h: 1, 2, 3, 4, 5).
    static func mgf1(_ mgf: CK_RSA_PKCS_MGF_TYPE) -> HashAlgorithm? {
        switch mgf {
        case CK_RSA_PKCS_MGF_TYPE(CKG_MGF1_SHA1): .sha1
        case CK_RSA_PKCS_MGF_TYPE(CKG_MGF1_SHA256): .sha256
        case CK_RSA_PKCS_MGF_TYPE(CKG_MGF1_SHA384): .sha384
        case CK_RSA_PKCS_MGF_TYPE(CKG_MGF1_SHA512): .sha512
        case CK_RSA_PKCS_MGF_TYPE(CKG_MGF1_SHA224): .sha224
        default: nil
        }
    }
}

extension ObjectRecord {
    /// Modulus length of an RSA key object, 0 for anything else.
    var rsaBits: Int {
        switch key {
        case .rsaPrivate(let k): k.bits
        case .rsaPublic(let k): k.bits
        default: 0
        }
    }

    /// The size the slot's key-size ranges are in: an RSA modulus, an EC
    /// curve's ``ECCurve/keyBits``; 0 for anything else.
    var keyBits: Int {
        switch key {
        case .ecPrivate(let k): k.keyBits
        case .ecPublic(let k): k.keyBits
        default: rsaBits
        }
    }
}
