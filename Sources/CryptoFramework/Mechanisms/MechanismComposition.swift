/// How a hash-and-sign mechanism decomposes into a digest and a raw
/// signature mechanism, for Selection rule 6 (docs/DESIGN.md, "Rule 6:
/// composed mechanisms"): the registry may serve the whole mechanism as the
/// digest on a software provider, then the raw mechanism on a device.
///
/// The PSS mechanisms compose for signing only: the software half is the
/// EMSA-PSS encoding (RFC 8017 §9.1.1: the message hash, a salt from the
/// random mechanism, the M' hash and MGF1), the device's half CKM_RSA_X_509
/// over the encoded message. Verifying would need s^e mod n itself, which no
/// request returns (CKM_RSA_X_509 verify only compares), so a PSS verify is
/// served whole.
public struct MechanismComposition: Sendable {
    /// What the raw half signs, formed from the digest.
    public enum RawInput: Sendable, Hashable {
        /// DigestInfo(hash, digest) (RFC 8017 §9.2 step 2), for CKM_RSA_PKCS,
        /// which adds the type-1 padding itself.
        case digestInfo(HashAlgorithm)
        /// The digest itself, for CKM_ECDSA (SEC 1 §4.1.3 step 5 truncates it).
        case digest
        /// The EMSA-PSS encoded message (RFC 8017 §9.1.1), for CKM_RSA_X_509:
        /// the software half computes it whole (hash, salt, M' hash, MGF1).
        case pssEncoding
    }

    /// The hash-and-sign mechanism served whole elsewhere (CKM_SHA256_RSA_PKCS).
    public let mechanism: Mechanism
    /// The digest half (CKM_SHA256), on software.
    public let digest: Mechanism
    /// The raw half (CKM_RSA_PKCS, CKM_ECDSA), on a device.
    public let raw: Mechanism
    public let rawInput: RawInput

    /// Whether only a sign request composes (PSS: a verify needs s^e, which no raw request returns).
    public var signOnly: Bool { rawInput == .pssEncoding }

    /// The raw half's input for `digest` (the output of the digest half).
    public func rawData(fromDigest digest: [UInt8]) -> [UInt8] {
        switch rawInput {
        case .digestInfo(let hash): hash.digestInfo(digest)
        case .digest, .pssEncoding: digest
        }
    }

    /// The composition of `mechanism`, or nil when it is not composable.
    public static func of(_ mechanism: Mechanism) -> MechanismComposition? { byValue[mechanism.value] }

    /// Every composable mechanism: CKM_SHA*_RSA_PKCS over CKM_RSA_PKCS, CKM_ECDSA_SHA* over CKM_ECDSA,
    /// and for signing CKM_RSA_PKCS_PSS and CKM_SHA*_RSA_PKCS_PSS over CKM_RSA_X_509. CKM_RSA_PKCS_PSS
    /// hashes what its parameters name; its digest half goes to the software provider preferred for
    /// CKM_SHA256, which stands for the SHA family in selection.
    public static let all: [MechanismComposition] = {
        let rsa: [(Mechanism, HashAlgorithm)] = [
            (.sha1RSAPKCS, .sha1), (.sha224RSAPKCS, .sha224), (.sha256RSAPKCS, .sha256),
            (.sha384RSAPKCS, .sha384), (.sha512RSAPKCS, .sha512),
        ]
        let ecdsa: [(Mechanism, HashAlgorithm)] = [
            (.ecdsaSHA1, .sha1), (.ecdsaSHA224, .sha224), (.ecdsaSHA256, .sha256),
            (.ecdsaSHA384, .sha384), (.ecdsaSHA512, .sha512),
        ]
        let pss: [(Mechanism, HashAlgorithm)] = [
            (.rsaPKCSPSS, .sha256), (.sha1RSAPKCSPSS, .sha1), (.sha224RSAPKCSPSS, .sha224),
            (.sha256RSAPKCSPSS, .sha256), (.sha384RSAPKCSPSS, .sha384), (.sha512RSAPKCSPSS, .sha512),
        ]
        return rsa.map { MechanismComposition(mechanism: $0, digest: $1.digestMechanism, raw: .rsaPKCS, rawInput: .digestInfo($1)) }
            + ecdsa.map { MechanismComposition(mechanism: $0, digest: $1.digestMechanism, raw: .ecdsa, rawInput: .digest) }
            + pss.map { MechanismComposition(mechanism: $0, digest: $1.digestMechanism, raw: .rsaX509, rawInput: .pssEncoding) }
    }()

    private static let byValue: [UInt64: MechanismComposition] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.mechanism.value, $0) })
}

extension CryptoRequest {
    /// The raw half of this hash-and-sign request under `composition`, over
    /// `digest` (the digest half's output): the same key, signature and kind of
    /// request, the raw mechanism, the raw input. Nil for a request the
    /// composition cannot carry (one with PSS parameters, a keyless one).
    public func rawHalf(_ composition: MechanismComposition, digest: [UInt8]) -> CryptoRequest? {
        let data = composition.rawData(fromDigest: digest)
        if composition.rawInput == .pssEncoding {
            // The encoded message already carries the PSS parameters.
            guard case .sign(_, let key, _, _) = self else { return nil }
            return .sign(composition.raw, key: key, data: data, pss: nil)
        }
        switch self {
        case .sign(_, let key, _, nil): return .sign(composition.raw, key: key, data: data, pss: nil)
        case .verify(_, let key, _, let signature, nil):
            return .verify(composition.raw, key: key, data: data, signature: signature, pss: nil)
        case .signEC(_, let key, _): return .signEC(composition.raw, key: key, data: data)
        case .verifyEC(_, let key, _, let signature): return .verifyEC(composition.raw, key: key, data: data, signature: signature)
        default: return nil
        }
    }

    /// The data a hash-and-sign request hashes.
    var signedData: [UInt8]? {
        switch self {
        case .sign(_, _, let data, _), .verify(_, _, let data, _, _), .signEC(_, _, let data), .verifyEC(_, _, let data, _): data
        default: nil
        }
    }
}
