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
        do {
            switch (ulong(CKA_CLASS), keyType) {
            case (CKO_PUBLIC_KEY, CKK_RSA):
                return .rsaPublic(try RSAPublicKey(modulus: attributes[CKA_MODULUS]!, publicExponent: attributes[CKA_PUBLIC_EXPONENT]!))
            case (CKO_PRIVATE_KEY, CKK_RSA):
                return .rsaPrivate(try RSAPrivateKey(
                    modulus: attributes[CKA_MODULUS]!, publicExponent: attributes[CKA_PUBLIC_EXPONENT]!,
                    privateExponent: secrets[CKA_PRIVATE_EXPONENT]!, prime1: secrets[CKA_PRIME_1]!,
                    prime2: secrets[CKA_PRIME_2]!, exponent1: secrets[CKA_EXPONENT_1]!,
                    exponent2: secrets[CKA_EXPONENT_2]!, coefficient: secrets[CKA_COEFFICIENT]!))
            case (CKO_PUBLIC_KEY, CKK_DH):
                let group = try DomainParameters.group(prime: attributes[CKA_PRIME]!, base: attributes[CKA_BASE]!)
                return .dhPublic(group, attributes[CKA_VALUE]!)
            case (CKO_PRIVATE_KEY, CKK_DH):
                let group = try DomainParameters.group(prime: attributes[CKA_PRIME]!, base: attributes[CKA_BASE]!)
                return .dhPrivate(DHPrivateKey(group: group, value: secrets[CKA_VALUE]!))
            case (CKO_SECRET_KEY, _):
                return .secret(secrets[CKA_VALUE]!)
            default:
                return .none
            }
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
