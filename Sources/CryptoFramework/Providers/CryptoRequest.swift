/// One request to a provider, after KCF's `kcf_req_params_t`: the operation,
/// its mechanism, key and data. The registry reads ``mechanism``, ``keyBits``
/// and ``requiredFlag`` to select; the provider switches on the case to serve
/// it and throws ``CryptoProvider/unsupported(_:)`` for cases it does not offer.
///
/// Byte strings are big-endian where they are numbers (RSA, DH values).
/// EC signatures are PKCS#11's: r‖s for ECDSA, each half left-padded to the
/// field length (IEEE P1363), and R‖S for Ed25519 (RFC 8032).
public enum CryptoRequest: Sendable {
    case sign(Mechanism, key: RSAPrivateKey, data: [UInt8], pss: PSSParameters?)
    case verify(Mechanism, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters?)
    case digest(Mechanism, data: [UInt8])
    /// HMAC: key and data in wiping buffers (a PRF's data often holds a secret,
    /// IKE's g^xy), the result a ``CryptoResult/secret(_:)``.
    case mac(Mechanism, key: SecureBytes, data: SecureBytes)
    /// A block-cipher mode (CKM_AES_ECB/CBC/CTR/GCM, CKM_DES3_ECB/CBC), no
    /// padding: ECB and CBC take whole blocks; CTR refuses a counter that
    /// would wrap; GCM encryption returns ciphertext ‖ tag, and decryption
    /// takes ciphertext ‖ tag and answers ``CryptoError/Code/dataInvalid``,
    /// with no plaintext, when the tag does not match (``CipherRules``).
    case encrypt(Mechanism, key: SecureBytes, parameters: CipherParameters, data: [UInt8])
    case decrypt(Mechanism, key: SecureBytes, parameters: CipherParameters, data: [UInt8])
    /// RSA encryption (RFC 8017 §7): CKM_RSA_X_509 (the data as an integer below
    /// n), CKM_RSA_PKCS (RSAES-PKCS1-v1_5) or CKM_RSA_PKCS_OAEP (`oaep`, RFC 8017's
    /// defaults when nil); k bytes of ciphertext.
    case encryptRSA(Mechanism, key: RSAPublicKey, data: [UInt8], oaep: OAEPParameters?)
    /// RSA decryption of a k-byte ciphertext, the plaintext a ``CryptoResult/secret(_:)``.
    /// Every padding failure is one `encryptedDataInvalid`, decided in constant
    /// time (``RSAEncryption``).
    case decryptRSA(Mechanism, key: RSAPrivateKey, data: [UInt8], oaep: OAEPParameters?)
    case generateRSAKeyPair(bits: Int, publicExponent: [UInt8])
    /// `privateBits` nil: the group's default (twice its strength); `group.bits`: full length.
    case generateDHKeyPair(group: DHGroup, privateBits: Int?)
    case deriveDH(privateKey: DHPrivateKey, peerPublicValue: [UInt8])
    /// CKM_ECDSA over the caller's hash (any length), CKM_ECDSA_SHA* over data,
    /// or CKM_EDDSA (pure Ed25519) over data.
    case signEC(Mechanism, key: ECPrivateKey, data: [UInt8])
    case verifyEC(Mechanism, key: ECPublicKey, data: [UInt8], signature: [UInt8])
    /// A key pair on `curve`; the mechanism follows the curve's family
    /// (CKM_EC_KEY_PAIR_GEN, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EC_MONTGOMERY_KEY_PAIR_GEN).
    case generateECKeyPair(curve: ECCurve)
    /// CKM_ECDH1_DERIVE (CK_ECDH1_DERIVE_PARAMS): the peer's point as bytes
    /// (uncompressed or compressed for the prime curves, 32 bytes for X25519),
    /// the KDF, its shared data and the output length.
    case deriveECDH(privateKey: ECPrivateKey, peerPublicValue: [UInt8], parameters: ECDHParameters)
    case random(count: Int)

    public var mechanism: Mechanism {
        switch self {
        case .sign(let m, _, _, _), .verify(let m, _, _, _, _), .digest(let m, _), .mac(let m, _, _),
            .encrypt(let m, _, _, _), .decrypt(let m, _, _, _), .signEC(let m, _, _), .verifyEC(let m, _, _, _),
            .encryptRSA(let m, _, _, _), .decryptRSA(let m, _, _, _):
            return m
        case .generateRSAKeyPair: return .rsaPKCSKeyPairGen
        case .generateDHKeyPair: return .dhPKCSKeyPairGen
        case .deriveDH: return .dhPKCSDerive
        case .generateECKeyPair(let curve): return curve.keyPairMechanism
        case .deriveECDH: return .ecdh1Derive
        case .random: return .random
        }
    }

    /// The key size in bits that provider ranges are matched against, or nil
    /// for keyless operations (digest, random).
    public var keyBits: Int? { selectionFacts.keyBits }

    /// The curve of an EC request, matched against the curves a provider
    /// declares (``MechanismInfo/curves``); nil for every other request.
    public var curve: ECCurve? { selectionFacts.curve }

    /// ``mechanism``, ``keyBits`` and ``curve`` read in one switch, for the
    /// request path (selection, a provider's table check). Reading a payload
    /// out of the request copies the request (a retain and a release of its
    /// key and data each time), so the path reads these three once, not one
    /// switch each. ``keyBits`` and ``curve`` are read from it; ``mechanism``
    /// keeps its own switch, which reads no key.
    var selectionFacts: (mechanism: Mechanism, keyBits: Int?, curve: ECCurve?) {
        switch self {
        case .sign(let m, let key, _, _): return (m, key.bits, nil)
        case .verify(let m, let key, _, _, _): return (m, key.bits, nil)
        case .digest(let m, _): return (m, nil, nil)
        case .mac(let m, let key, _): return (m, key.count * 8, nil)
        case .encrypt(let m, let key, _, _), .decrypt(let m, let key, _, _): return (m, key.count * 8, nil)
        case .encryptRSA(let m, let key, _, _): return (m, key.bits, nil)
        case .decryptRSA(let m, let key, _, _): return (m, key.bits, nil)
        case .generateRSAKeyPair(let bits, _): return (.rsaPKCSKeyPairGen, bits, nil)
        case .generateDHKeyPair(let group, _): return (.dhPKCSKeyPairGen, group.bits, nil)
        case .deriveDH(let key, _): return (.dhPKCSDerive, key.group.bits, nil)
        case .signEC(let m, let key, _): return (m, key.keyBits, key.curve)
        case .verifyEC(let m, let key, _, _): return (m, key.keyBits, key.curve)
        case .generateECKeyPair(let curve): return (curve.keyPairMechanism, curve.keyBits, curve)
        case .deriveECDH(let key, _, _): return (.ecdh1Derive, key.keyBits, key.curve)
        case .random: return (.random, nil, nil)
        }
    }

    /// The operation's short name (for reports and errors).
    public var operationName: String { servedOperation.operationName }

    /// The CKF flag a provider must list for the mechanism to serve this operation.
    public var requiredFlag: MechanismFlags { servedOperation.requiredFlag }

    /// True for RSA private-key operations, whose hardware results the registry
    /// checks before release (docs/DESIGN.md Selection rule 5).
    public var isRSAPrivateOperation: Bool { servedOperation == .sign }
}

/// What a provider returns for a request: ``bytes`` for signatures, digests,
/// ciphertext and random bytes; ``secret`` for a derived secret or a MAC (wiped on
/// release); ``verified`` for a verification verdict (an invalid signature is
/// `.verified(false)`, not an error); the key pairs for generation.
public enum CryptoResult: Sendable {
    case bytes([UInt8])
    case secret(SecureBytes)
    case verified(Bool)
    case rsaKeyPair(RSAPrivateKey)
    case dhKeyPair(DHKeyPair)
    /// A generated EC key, its ``ECPrivateKey/publicKey`` present.
    case ecKeyPair(ECPrivateKey)
}

extension CryptoRequest {
    /// CBC encryption with `iv` (``CipherParameters/iv(_:)``), as IKE's ciphers ask for it.
    public static func encrypt(_ mechanism: Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8]) -> CryptoRequest {
        .encrypt(mechanism, key: key, parameters: .iv(iv), data: data)
    }

    /// CBC decryption with `iv`.
    public static func decrypt(_ mechanism: Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8]) -> CryptoRequest {
        .decrypt(mechanism, key: key, parameters: .iv(iv), data: data)
    }
}
