/// One request to a provider, after KCF's `kcf_req_params_t`: the operation,
/// its mechanism, key and data. The registry reads ``mechanism``, ``keyBits``
/// and ``requiredFlag`` to select; the provider switches on the case to serve
/// it and throws ``CryptoProvider/unsupported(_:)`` for cases it does not offer.
///
/// Byte strings are big-endian where they are numbers (RSA, DH values).
public enum CryptoRequest: Sendable {
    case sign(Mechanism, key: RSAPrivateKey, data: [UInt8], pss: PSSParameters?)
    case verify(Mechanism, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters?)
    case digest(Mechanism, data: [UInt8])
    /// HMAC: key and data in wiping buffers (a PRF's data often holds a secret,
    /// IKE's g^xy), the result a ``CryptoResult/secret(_:)``.
    case mac(Mechanism, key: SecureBytes, data: SecureBytes)
    /// CKM_AES_CBC / CKM_DES3_CBC without padding: data must be whole blocks.
    case encrypt(Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8])
    case decrypt(Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8])
    case generateRSAKeyPair(bits: Int, publicExponent: [UInt8])
    /// `privateBits` nil: the group's default (twice its strength); `group.bits`: full length.
    case generateDHKeyPair(group: DHGroup, privateBits: Int?)
    case deriveDH(privateKey: DHPrivateKey, peerPublicValue: [UInt8])
    case random(count: Int)

    public var mechanism: Mechanism {
        switch self {
        case .sign(let m, _, _, _), .verify(let m, _, _, _, _), .digest(let m, _), .mac(let m, _, _),
            .encrypt(let m, _, _, _), .decrypt(let m, _, _, _):
            return m
        case .generateRSAKeyPair: return .rsaPKCSKeyPairGen
        case .generateDHKeyPair: return .dhPKCSKeyPairGen
        case .deriveDH: return .dhPKCSDerive
        case .random: return .random
        }
    }

    /// The key size in bits that provider ranges are matched against, or nil
    /// for keyless operations (digest, random).
    public var keyBits: Int? {
        switch self {
        case .sign(_, let key, _, _): return key.bits
        case .verify(_, let key, _, _, _): return key.bits
        case .mac(_, let key, _): return key.count * 8
        case .encrypt(_, let key, _, _), .decrypt(_, let key, _, _): return key.count * 8
        case .generateRSAKeyPair(let bits, _): return bits
        case .generateDHKeyPair(let group, _): return group.bits
        case .deriveDH(let key, _): return key.group.bits
        case .digest, .random: return nil
        }
    }

    /// The operation's short name (for reports and errors).
    public var operationName: String { ServedOperation(self).operationName }

    /// The CKF flag a provider must list for the mechanism to serve this operation.
    public var requiredFlag: MechanismFlags { ServedOperation(self).requiredFlag }

    /// True for RSA private-key operations, whose hardware results the registry
    /// checks before release (docs/DESIGN.md Selection rule 5).
    public var isRSAPrivateOperation: Bool { ServedOperation(self) == .sign }
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
}
