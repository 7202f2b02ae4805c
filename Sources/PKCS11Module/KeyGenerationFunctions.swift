package import CPKCS11
import CryptoFramework

/// C_GenerateKeyPair (RSA, DH, EC), C_GenerateKey (generic secret, AES, DES3),
/// C_DeriveKey (DH, ECDH), C_GenerateRandom: the key material comes from the
/// framework; the module turns it into objects.
extension Module {
    package func generateKeyPair(
        _ session: CK_SESSION_HANDLE, _ mechanism: MechanismArgument, publicTemplate: Template, privateTemplate: Template
    ) throws(CryptokiError) -> (CK_OBJECT_HANDLE, CK_OBJECT_HANDLE) {
        let call = try withState { (s) throws(CryptokiError) in
            _ = try s.session(session)
            _ = try s.mechanism(mechanism.type, flag: .generateKeyPair)
            return s.call
        }
        guard mechanism.parameter == nil else { throw .mechanismParamInvalid }
        let generatedPublic: [CK_ATTRIBUTE_TYPE: [UInt8]], generatedPrivate: [CK_ATTRIBUTE_TYPE: [UInt8]]
        let privateSecrets: [CK_ATTRIBUTE_TYPE: SecureBytes]
        let keyType: CK_KEY_TYPE
        switch UInt(mechanism.type) {
        case UInt(Mechanism.rsaPKCSKeyPairGen.value):
            keyType = CKK_RSA
            guard let bits = try publicTemplate.ulong(CKA_MODULUS_BITS) else { throw .templateIncomplete }
            guard bits <= 16384 else { throw .attributeValueInvalid }
            // 65537 only when the attribute is absent; an empty or zero exponent is invalid.
            let exponent = publicTemplate[CKA_PUBLIC_EXPONENT] ?? [0x01, 0x00, 0x01]  // F4
            guard exponent.contains(where: { $0 != 0 }) else { throw .attributeValueInvalid }
            let key = try call.perform(
                .generateRSAKeyPair(bits: Int(bits), publicExponent: exponent), function: "C_GenerateKeyPair", step: .setup
            ) { try $0.rsaKeyPair }
            let pub = [CKA_MODULUS: key.modulus, CKA_PUBLIC_EXPONENT: key.publicExponent]
            generatedPublic = pub
            generatedPrivate = pub
            privateSecrets = [
                CKA_PRIVATE_EXPONENT: key.privateExponent, CKA_PRIME_1: key.prime1, CKA_PRIME_2: key.prime2,
                CKA_EXPONENT_1: key.exponent1, CKA_EXPONENT_2: key.exponent2, CKA_COEFFICIENT: key.coefficient,
            ]
        case UInt(Mechanism.dhPKCSKeyPairGen.value):
            keyType = CKK_DH
            guard let prime = publicTemplate[CKA_PRIME], let base = publicTemplate[CKA_BASE] else { throw .templateIncomplete }
            let group: DHGroup
            do { group = try DomainParameters.group(prime: prime, base: base) } catch { throw CryptokiError(CKR_DOMAIN_PARAMS_INVALID) }
            // A length the group cannot take (0, 1, beyond the prime …) is the attribute's fault.
            let privateBits = try privateTemplate.ulong(CKA_VALUE_BITS).map { (n) throws(CryptokiError) -> Int in
                guard n <= CK_ULONG(group.bits), (try? group.privateExponentBits(requested: Int(n))) != nil else { throw .attributeValueInvalid }
                return Int(n)
            }
            let pair = try call.perform(
                .generateDHKeyPair(group: group, privateBits: privateBits), function: "C_GenerateKeyPair", step: .setup
            ) { try $0.dhKeyPair }
            let domain = [CKA_PRIME: group.prime, CKA_BASE: group.generator]
            generatedPublic = domain.merging([CKA_VALUE: pair.publicValue]) { a, _ in a }
            let x = pair.privateKey.value
            let xBits = x.withUnsafeBytes { b in
                let n = b.drop(while: { $0 == 0 })
                return n.isEmpty ? 0 : n.count * 8 - n.first!.leadingZeroBitCount
            }
            generatedPrivate = domain.merging([CKA_VALUE_BITS: AttributeValue.ulong(CK_ULONG(xBits))]) { a, _ in a }
            privateSecrets = [CKA_VALUE: x]
        case UInt(Mechanism.ecKeyPairGen.value), UInt(Mechanism.ecEdwardsKeyPairGen.value), UInt(Mechanism.ecMontgomeryKeyPairGen.value):
            // The curve comes from the public template (v2.40 §2.3.7); the private half gets the same parameters.
            let given = publicTemplate[CKA_EC_PARAMS]
            let curve = try ECKeyObject.requestedCurve(given, mechanism: Mechanism(value: UInt64(mechanism.type))!)
            if let other = privateTemplate[CKA_EC_PARAMS], ECCurve(pkcs11Parameters: other) != curve { throw .templateInconsistent }
            keyType = ECKeyObject.keyType(of: curve.family)
            let key = try call.perform(.generateECKeyPair(curve: curve), function: "C_GenerateKeyPair", step: .setup) { try $0.ecKeyPair }
            guard let point = key.publicKey?.point else { throw .deviceError }
            let parameters = given ?? curve.pkcs11Parameters
            generatedPublic = [CKA_EC_PARAMS: parameters, CKA_EC_POINT: ECCurve.pkcs11PointAttribute(point)]
            generatedPrivate = [CKA_EC_PARAMS: parameters]
            privateSecrets = [CKA_VALUE: key.scalar]
        default:
            throw .mechanismInvalid
        }
        let gen = CK_MECHANISM_TYPE(mechanism.type)
        let publicKey = try ObjectBuilder(objectClass: CKO_PUBLIC_KEY, keyType: keyType, keyGenMechanism: gen, local: true)
            .build(publicTemplate, generated: generatedPublic)
        let privateKey = try ObjectBuilder(objectClass: CKO_PRIVATE_KEY, keyType: keyType, keyGenMechanism: gen, local: true)
            .build(privateTemplate, generated: generatedPrivate, generatedSecrets: privateSecrets)
        return try withState { (s) throws(CryptokiError) in
            let pub = try s.store(session, publicKey)
            do throws(CryptokiError) {
                return (pub, try s.store(session, privateKey))
            } catch {
                s.destroy(pub)
                throw error
            }
        }
    }

    package func generateKey(_ session: CK_SESSION_HANDLE, _ mechanism: MechanismArgument, _ template: Template) throws(CryptokiError) -> CK_OBJECT_HANDLE {
        let call = try withState { (s) throws(CryptokiError) in
            _ = try s.session(session)
            _ = try s.mechanism(mechanism.type, flag: .generate)
            return s.call
        }
        guard mechanism.parameter == nil else { throw .mechanismParamInvalid }
        let keyType: CK_KEY_TYPE, length: Int
        switch UInt(mechanism.type) {
        case MetaslotMechanisms.genericSecretKeyGen:
            keyType = CKK_GENERIC_SECRET
            guard let n = try template.ulong(CKA_VALUE_LEN) else { throw .templateIncomplete }
            guard (1...1024).contains(n) else { throw .attributeValueInvalid }
            length = Int(n)
        case MetaslotMechanisms.aesKeyGen:
            keyType = CKK_AES
            guard let n = try template.ulong(CKA_VALUE_LEN) else { throw .templateIncomplete }
            guard [16, 24, 32].contains(n) else { throw .attributeValueInvalid }
            length = Int(n)
        case MetaslotMechanisms.des3KeyGen:
            keyType = CKK_DES3
            if let n = try template.ulong(CKA_VALUE_LEN), n != 24 { throw .templateInconsistent }
            length = 24
        default:
            throw .mechanismInvalid
        }
        var value = try call.secret(.random(count: length), function: "C_GenerateKey")
        if keyType == CKK_DES3 { value = DESParity.withOddParity(value) }
        var generated: [CK_ATTRIBUTE_TYPE: [UInt8]] = [:]
        if template[CKA_VALUE_LEN] != nil { generated[CKA_VALUE_LEN] = AttributeValue.ulong(CK_ULONG(length)) }
        let object = try ObjectBuilder(objectClass: CKO_SECRET_KEY, keyType: keyType, keyGenMechanism: CK_MECHANISM_TYPE(mechanism.type), local: true)
            .build(template, generated: generated, generatedSecrets: [CKA_VALUE: value])
        return try withState { (s) throws(CryptokiError) in try s.store(session, object) }
    }

    /// C_DeriveKey into a secret key (generic by default).
    ///
    /// CKM_DH_PKCS_DERIVE: the parameter is the peer's public value; the key
    /// holds g^xy, as long as the prime, or the first CKA_VALUE_LEN bytes when
    /// the template asks.
    ///
    /// CKM_ECDH1_DERIVE: the parameter is CK_ECDH1_DERIVE_PARAMS (``ECDHArgument``);
    /// the key holds Z (or its first CKA_VALUE_LEN bytes) with CKD_NULL, or
    /// CKA_VALUE_LEN bytes (one hash when absent) of the X9.63 KDF.
    package func deriveKey(_ session: CK_SESSION_HANDLE, _ mechanism: MechanismArgument, base: CK_OBJECT_HANDLE, _ template: Template) throws(CryptokiError) -> CK_OBJECT_HANDLE {
        let (call, object) = try withState { (s) throws(CryptokiError) in
            _ = try s.session(session)
            _ = try s.mechanism(mechanism.type, flag: .derive)
            return (s.call, try s.key(base, usage: CKA_DERIVE, mechanism: mechanism.type))
        }
        if let given = try template.ulong(CKA_CLASS), given != CKO_SECRET_KEY { throw .templateInconsistent }
        let keyType = try template.ulong(CKA_KEY_TYPE) ?? CKK_GENERIC_SECRET
        let requestedLength = try template.ulong(CKA_VALUE_LEN)
        let value: SecureBytes
        switch UInt(mechanism.type) {
        case UInt(Mechanism.dhPKCSDerive.value):
            guard case .dhPrivate(let privateKey) = object.key else { throw .keyTypeInconsistent }
            guard let peer = mechanism.parameter else { throw .mechanismParamInvalid }
            let secret = try call.secret(.deriveDH(privateKey: privateKey, peerPublicValue: peer), function: "C_DeriveKey")
            if let n = requestedLength {
                guard n > 0, n <= CK_ULONG(secret.count) else { throw .attributeValueInvalid }
                value = secret.prefix(Int(n))
            } else {
                value = secret
            }
        case UInt(Mechanism.ecdh1Derive.value):
            // ECDH on the prime curves and X25519; an Ed25519 key does not agree keys.
            guard case .ecPrivate(let privateKey) = object.key, privateKey.curve.family != .edwards else { throw .keyTypeInconsistent }
            let argument = try ECDHArgument(mechanism, curve: privateKey.curve)
            let limit = argument.parameters.kdf == .null ? privateKey.curve.fieldByteCount : ECDHParameters.maxDerivedBytes
            var parameters = argument.parameters
            if let n = requestedLength {
                guard n > 0, n <= CK_ULONG(limit) else { throw .attributeValueInvalid }
                parameters.length = Int(n)
            }
            value = try call.secret(
                .deriveECDH(privateKey: privateKey, peerPublicValue: argument.peerPoint, parameters: parameters), function: "C_DeriveKey")
        default:
            throw .mechanismInvalid
        }
        // The builder records CKA_KEY_TYPE (keyType) whether or not the template named it.
        let derived = try ObjectBuilder(objectClass: CKO_SECRET_KEY, keyType: keyType, keyGenMechanism: CK_MECHANISM_TYPE(mechanism.type), local: false)
            .build(template, generatedSecrets: [CKA_VALUE: value])
        return try withState { (s) throws(CryptokiError) in try s.store(session, derived) }
    }

    /// C_SeedRandom: the framework's generators seed themselves (the providers' DRBGs).
    package func seedRandom(_ session: CK_SESSION_HANDLE) throws(CryptokiError) {
        try withState { (s) throws(CryptokiError) in _ = try s.session(session) }
        throw CryptokiError(CKR_RANDOM_SEED_NOT_SUPPORTED)
    }

    package func generateRandom(_ session: CK_SESSION_HANDLE, _ out: UnsafeMutablePointer<CK_BYTE>?, _ count: CK_ULONG) throws(CryptokiError) {
        let call = try withState { (s) throws(CryptokiError) in
            _ = try s.session(session)
            return s.call
        }
        guard count > 0 else { return }
        guard let out, count <= 1 << 24 else { throw .argumentsBad }
        // No provider may serve `random` under the policy: the token has no RNG now.
        guard MetaslotMechanisms.randomAllowed(call.framework) else { throw CryptokiError(CKR_RANDOM_NO_RNG) }
        let bytes = try call.bytes(.random(count: Int(count)), function: "C_GenerateRandom")
        guard bytes.count == Int(count) else { throw .deviceError }
        out.update(from: bytes, count: bytes.count)
    }
}

/// DES keys carry odd parity in each byte's low bit (FIPS 46-3 §"Key").
enum DESParity {
    /// A DES3 key with every byte's parity set, copied buffer to buffer.
    static func withOddParity(_ key: SecureBytes) -> SecureBytes {
        key.withUnsafeBytes { source in
            // Cannot throw: the count is not negative.
            try! SecureBytes(count: source.count) { out in
                for i in 0..<source.count { out[i] = withOddParity(source[i]) }
            }
        }
    }

    static func withOddParity(_ byte: UInt8) -> UInt8 {
        let high = byte & 0xFE
        return high | (high.nonzeroBitCount % 2 == 0 ? 1 : 0)
    }
}
