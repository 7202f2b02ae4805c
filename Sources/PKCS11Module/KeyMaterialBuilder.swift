internal import CPKCS11
import CryptoFramework

/// Builds the framework key an object's attributes describe; a value the
/// framework rejects (an even modulus, a generator outside 2..p−2) is
/// CKR_ATTRIBUTE_VALUE_INVALID, so a malformed key never becomes an object.
enum KeyMaterialBuilder {
    static func build(
        attributes: [CK_ATTRIBUTE_TYPE: [UInt8]], secrets: [CK_ATTRIBUTE_TYPE: SecureBytes]
    ) throws(CryptokiError) -> ObjectRecord.KeyMaterial {
        func ulong(_ type: CK_ATTRIBUTE_TYPE) -> CK_ULONG? { attributes[type].flatMap { try? AttributeValue.ulong($0) } }
        guard let keyType = ulong(CKA_KEY_TYPE) else { return .none }
        // Attributes come from a caller's template or from a file on disk: an absent
        // one is CKR_TEMPLATE_INCOMPLETE, never a trap.
        func attribute(_ type: CK_ATTRIBUTE_TYPE) throws(CryptokiError) -> [UInt8] {
            guard let value = attributes[type] else { throw .templateIncomplete }
            return value
        }
        func secret(_ type: CK_ATTRIBUTE_TYPE) throws(CryptokiError) -> SecureBytes {
            guard let value = secrets[type] else { throw .templateIncomplete }
            return value
        }
        let objectClass = ulong(CKA_CLASS)
        do {
            switch (objectClass, keyType) {
            case (CKO_PUBLIC_KEY, CKK_RSA):
                let (modulus, exponent) = (try attribute(CKA_MODULUS), try attribute(CKA_PUBLIC_EXPONENT))
                return .rsaPublic(try RSAPublicKey(modulus: modulus, publicExponent: exponent))
            case (CKO_PRIVATE_KEY, CKK_RSA):
                let (modulus, exponent) = (try attribute(CKA_MODULUS), try attribute(CKA_PUBLIC_EXPONENT))
                let (d, p, q) = (try secret(CKA_PRIVATE_EXPONENT), try secret(CKA_PRIME_1), try secret(CKA_PRIME_2))
                let (dp, dq, qInv) = (try secret(CKA_EXPONENT_1), try secret(CKA_EXPONENT_2), try secret(CKA_COEFFICIENT))
                return .rsaPrivate(try RSAPrivateKey(
                    modulus: modulus, publicExponent: exponent, privateExponent: d, prime1: p,
                    prime2: q, exponent1: dp, exponent2: dq, coefficient: qInv))
            case (CKO_PUBLIC_KEY, CKK_DH):
                let group = try DomainParameters.group(prime: try attribute(CKA_PRIME), base: try attribute(CKA_BASE))
                return .dhPublic(group, try attribute(CKA_VALUE))
            case (CKO_PRIVATE_KEY, CKK_DH):
                let group = try DomainParameters.group(prime: try attribute(CKA_PRIME), base: try attribute(CKA_BASE))
                return .dhPrivate(DHPrivateKey(group: group, value: try secret(CKA_VALUE)))
            case (CKO_PUBLIC_KEY, let ec) where ECKeyObject.keyTypes.contains(ec):
                let curve = try ECKeyObject.curve(try attribute(CKA_EC_PARAMS), keyType: ec)
                return .ecPublic(try ECKeyObject.publicKey(curve, point: try attribute(CKA_EC_POINT)))
            case (CKO_PRIVATE_KEY, let ec) where ECKeyObject.keyTypes.contains(ec):
                let curve = try ECKeyObject.curve(try attribute(CKA_EC_PARAMS), keyType: ec)
                return .ecPrivate(try ECPrivateKey(curve: curve, scalar: try secret(CKA_VALUE)))
            case (CKO_SECRET_KEY, _):
                return .secret(try secret(CKA_VALUE))
            default:
                return .none
            }
        } catch let error as CryptokiError {
            throw error
        } catch {
            throw .attributeValueInvalid
        }
    }
}

/// DH domain parameters from CKA_PRIME and CKA_BASE: an IKE (MODP) group when
/// they are one, else a custom group whose strength follows NIST SP 800-57
/// Part 1 Rev. 5 table 2 (1024 → 80, 2048 → 112, 3072 → 128, 7680 → 192,
/// 15360 → 256 bits), which sets the default private-value length.
enum DomainParameters {
    static func group(prime: [UInt8], base: [UInt8]) throws -> DHGroup {
        let p = Array(prime.drop(while: { $0 == 0 }))
        let g = Array(base.drop(while: { $0 == 0 }))
        if let known = DHGroup.allIKE.first(where: { $0.prime == p && $0.generator == g }) { return known }
        let bits = p.isEmpty ? 0 : (p.count - 1) * 8 + (8 - p[0].leadingZeroBitCount)
        let strength = switch bits {
        case ..<1024: 64
        case ..<2048: 80
        case ..<3072: 112
        case ..<7680: 128
        case ..<15360: 192
        default: 256
        }
        return try DHGroup(prime: p, generator: g, strengthBits: min(strength, max(bits, 1)))
    }
}
