internal import CPKCS11
import CryptoFramework

/// CKK_EC_MONTGOMERY (PKCS#11 v3.0 §2.3.6, pkcs11t.h 0x41), which p11-kit's
/// v2.40 header lacks.
let CKK_EC_MONTGOMERY: CK_KEY_TYPE = 0x41

/// EC key objects: the three key types, each for one family of curves
/// (CKK_EC for the prime curves, CKK_EC_EDWARDS for Ed25519,
/// CKK_EC_MONTGOMERY for X25519), named by CKA_EC_PARAMS.
enum ECKeyObject {
    static let keyTypes: Set<CK_KEY_TYPE> = [CK_KEY_TYPE(CKK_EC), CK_KEY_TYPE(CKK_EC_EDWARDS), CKK_EC_MONTGOMERY]

    static func keyType(of family: ECCurve.Family) -> CK_KEY_TYPE {
        switch family {
        case .weierstrass: CK_KEY_TYPE(CKK_EC)
        case .edwards: CK_KEY_TYPE(CKK_EC_EDWARDS)
        case .montgomery: CKK_EC_MONTGOMERY
        }
    }

    /// The curve of a key of `keyType` whose CKA_EC_PARAMS is `parameters`:
    /// CKR_ATTRIBUTE_VALUE_INVALID when they name no curve the framework
    /// knows, or one of another key type's family (an Ed25519 OID on a CKK_EC key).
    static func curve(_ parameters: [UInt8], keyType: CK_KEY_TYPE) throws(CryptokiError) -> ECCurve {
        guard let curve = ECCurve(pkcs11Parameters: parameters), self.keyType(of: curve.family) == keyType else {
            throw .attributeValueInvalid
        }
        return curve
    }

    /// The curve a key-pair generator is asked for: CKR_CURVE_NOT_SUPPORTED for a
    /// well-formed OID of another curve (secp256k1, brainpool …), else as ``curve(_:keyType:)``.
    /// The Edwards and Montgomery generators have one curve each, taken when the template names none.
    static func requestedCurve(_ parameters: [UInt8]?, mechanism: Mechanism) throws(CryptokiError) -> ECCurve {
        let family: ECCurve.Family = switch mechanism {
        case .ecEdwardsKeyPairGen: .edwards
        case .ecMontgomeryKeyPairGen: .montgomery
        default: .weierstrass
        }
        guard let parameters else {
            guard let only = ECCurve.allCases.first(where: { $0.family == family }), family != .weierstrass else { throw .templateIncomplete }
            return only
        }
        guard let curve = ECCurve(pkcs11Parameters: parameters) else {
            // 06 len …: an OBJECT IDENTIFIER, well-formed enough to name a curve the framework does not serve.
            let isOID = parameters.count > 2 && parameters[0] == 0x06 && Int(parameters[1]) == parameters.count - 2
            throw isOID ? CryptokiError(CKR_CURVE_NOT_SUPPORTED) : .attributeValueInvalid
        }
        guard curve.family == family else { throw .templateInconsistent }
        return curve
    }

    /// The public key of a CKA_EC_PARAMS/CKA_EC_POINT pair (the point raw or in
    /// its OCTET STRING); a point that is not on the curve is CKR_ATTRIBUTE_VALUE_INVALID.
    static func publicKey(_ curve: ECCurve, point value: [UInt8]) throws(CryptokiError) -> ECPublicKey {
        guard let point = curve.pkcs11Point(value), let key = try? ECPublicKey(curve: curve, point: point) else {
            throw .attributeValueInvalid
        }
        return key
    }
}

/// CK_ECDH1_DERIVE_PARAMS (v2.40 §2.3.13) as the caller passed it: the KDF
/// (CKD_NULL, CKD_SHA1_KDF, CKD_SHA224/256/384/512_KDF), the shared data, and
/// the peer's point, raw or in a DER OCTET STRING (both forms are in use:
/// OpenSC sends the raw point, others the encoded one). The pointers inside
/// are read during the C_DeriveKey call that passed them.
struct ECDHArgument {
    let parameters: ECDHParameters
    let peerPoint: [UInt8]

    init(_ mechanism: MechanismArgument, curve: ECCurve) throws(CryptokiError) {
        guard let p = try mechanism.structure(CK_ECDH1_DERIVE_PARAMS.self) else { throw .mechanismParamInvalid }
        guard let kdf = ECDHParameters.KDF(ckdValue: UInt64(p.kdf)) else { throw .mechanismParamInvalid }
        let sharedData = try Self.bytes(p.pSharedData, p.ulSharedDataLen)
        // CKD_NULL takes no shared data (v2.40 §2.3.13).
        guard kdf != .null || sharedData.isEmpty else { throw .mechanismParamInvalid }
        let peer = try Self.bytes(p.pPublicData, p.ulPublicDataLen)
        parameters = ECDHParameters(kdf: kdf, sharedData: sharedData)
        peerPoint = curve.pkcs11Point(peer) ?? peer  // not a point's length: the framework says what is wrong
    }

    /// Bytes the caller points to: NULL with a nonzero length is CKR_MECHANISM_PARAM_INVALID.
    private static func bytes(_ pointer: UnsafeMutablePointer<UInt8>?, _ length: CK_ULONG) throws(CryptokiError) -> [UInt8] {
        guard length > 0 else { return [] }
        guard let pointer, length < 1 << 20 else { throw .mechanismParamInvalid }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
    }
}
