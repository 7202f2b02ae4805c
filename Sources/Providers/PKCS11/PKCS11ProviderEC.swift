internal import CPKCS11
import CryptoFramework

/// EC on a PKCS#11 token: ECDSA and EdDSA sign/verify, key pairs, and
/// CKM_ECDH1_DERIVE, with our keys imported as CKK_EC/CKK_EC_EDWARDS session
/// objects once per key (CKA_EC_PARAMS the curve's OID, CKA_EC_POINT the
/// point in its OCTET STRING, CKA_VALUE the secret). The framework's
/// ECInputRules are applied first, so a bad input gets every provider's answer.
extension PKCS11Provider {
    func signEC(_ mechanism: Mechanism, key: ECPrivateKey, data: [UInt8]) throws -> [UInt8] {
        try ECInputRules.checkSign(mechanism, curve: key.curve)
        return try sign(mechanism, with: try privateObject(key), curve: key.curve, data: data)
    }

    /// C_Sign with a private key object: the signature, exactly the curve's length.
    private func sign(_ mechanism: Mechanism, with object: PKCS11KeyObject, curve: ECCurve, data: [UInt8]) throws -> [UInt8] {
        var ck = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanism.value), pParameter: nil, ulParameterLen: 0)
        return try token.withSession { session in
            try library.check(functions.C_SignInit(session, &ck, object.handle), "C_SignInit")
            var input = data
            var signature = [UInt8](repeating: 0, count: curve.signatureByteCount ?? 0)
            var length = CK_ULONG(signature.count)
            try library.check(functions.C_Sign(session, &input, CK_ULONG(input.count), &signature, &length), "C_Sign")
            guard Int(length) == signature.count else {
                throw CryptoError(.providerFailed, "\(library.path): \(curve) signature of \(length) bytes, not \(signature.count)")
            }
            return signature
        }
    }

    func verifyEC(_ mechanism: Mechanism, key: ECPublicKey, data: [UInt8], signature: [UInt8]) throws -> Bool {
        try ECInputRules.checkVerify(mechanism, curve: key.curve, signature: signature)
        guard ECInputRules.hasIntegersInRange(signature, curve: key.curve) else { return false }
        let object = try publicObject(key)
        var ck = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanism.value), pParameter: nil, ulParameterLen: 0)
        return try verify(&ck, with: object, data: data, signature: signature)
    }

    /// A key pair on the token, exported to build our key.
    func generateEC(_ curve: ECCurve) throws -> ECPrivateKey {
        let pub = PKCS11AttributeTemplate()
        pub.add(CK_ATTRIBUTE_TYPE(CKA_TOKEN), bool: false)
        pub.add(CK_ATTRIBUTE_TYPE(CKA_VERIFY), bool: true)
        pub.add(CK_ATTRIBUTE_TYPE(CKA_EC_PARAMS), curve.pkcs11Parameters)
        let priv = exportablePrivateTemplate(usage: CKA_SIGN)
        let mechanism = UInt(curve.keyPairMechanism.value)
        return try withGeneratedKeyPair(mechanism, public: pub, private: priv) { session, pubHandle, privHandle in
            let encoded = try token.attribute(CK_ATTRIBUTE_TYPE(CKA_EC_POINT), of: pubHandle, session: session)
            guard let point = curve.pkcs11Point(encoded) else {
                throw CryptoError(.providerFailed, "\(library.path): CKA_EC_POINT of a new \(curve) key is no point (\(encoded.count) bytes)")
            }
            let secret = try token.secretAttribute(
                CK_ATTRIBUTE_TYPE(CKA_VALUE), of: privHandle, session: session, paddedTo: curve.privateKeyByteCount)
            return try ECPrivateKey(curve: curve, scalar: secret, publicKey: try ECPublicKey(curve: curve, point: point))
        }
    }

    /// CKM_ECDH1_DERIVE with CKD_NULL on the token into a generic secret of the
    /// field's length, read back; a KDF is the framework's X9.63 step over the
    /// token's own digest (C_Digest).
    func deriveECDH(_ key: ECPrivateKey, peerPublicValue: [UInt8], parameters: ECDHParameters) throws -> SecureBytes {
        let peer = try ECInputRules.checkDerive(privateKey: key, peerPublicValue: peerPublicValue, parameters: parameters)
        let object = try privateObject(key)
        let length = key.curve.fieldByteCount
        let derived = Self.readableSecretTemplate(length: length)
        let z = try withTemporaryObjects { session, objects in
            var point = peer.point
            var secretHandle: CK_OBJECT_HANDLE = 0
            try point.withUnsafeMutableBufferPointer { raw in
                var params = CK_ECDH1_DERIVE_PARAMS(
                    kdf: CK_ULONG(CKD_NULL), ulSharedDataLen: 0, pSharedData: nil, ulPublicDataLen: CK_ULONG(raw.count),
                    pPublicData: raw.baseAddress)
                try withUnsafeMutableBytes(of: &params) { paramBytes in
                    var ck = CK_MECHANISM(
                        mechanism: CK_MECHANISM_TYPE(CKM_ECDH1_DERIVE), pParameter: paramBytes.baseAddress,
                        ulParameterLen: CK_ULONG(paramBytes.count))
                    try derived.withAttributes { a, c in
                        try library.check(functions.C_DeriveKey(session, &ck, object.handle, a, c, &secretHandle), "C_DeriveKey")
                    }
                }
            }
            objects.append(secretHandle)
            return try token.secretAttribute(CK_ATTRIBUTE_TYPE(CKA_VALUE), of: secretHandle, session: session, paddedTo: length)
        }
        try ECInputRules.checkSharedSecret(z, curve: key.curve)
        return try ECDHKeyDerivation.derive(z, parameters: parameters) { hash, data in try digest(hash, secret: data) }
    }

    /// A digest on the token of data that is secret (the KDF's Z ‖ counter ‖
    /// SharedInfo), read from its wiping buffer and returned in one.
    private func digest(_ hash: HashAlgorithm, secret data: SecureBytes) throws -> SecureBytes {
        guard descriptor.info(for: hash.digestMechanism) != nil else {
            throw CryptoError(.mechanismInvalid, "\(library.path) lists no \(hash.digestMechanism.name) for the ECDH KDF")
        }
        var ck = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(hash.digestMechanism.value), pParameter: nil, ulParameterLen: 0)
        return try token.withSession { session in
            try library.check(functions.C_DigestInit(session, &ck), "C_DigestInit")
            return try SecureBytes(count: hash.digestLength) { out in
                var length = CK_ULONG(out.count)
                try data.withUnsafeBytes { input in
                    let bytes = UnsafeMutablePointer(mutating: input.bindMemory(to: UInt8.self).baseAddress)
                    try library.check(
                        functions.C_Digest(session, bytes, CK_ULONG(input.count), out.bindMemory(to: UInt8.self).baseAddress, &length), "C_Digest")
                }
                guard Int(length) == out.count else { throw CryptoError(.providerFailed, "\(library.path): \(hash) digest of \(length) bytes") }
            }
        }
    }

    // MARK: Key objects (imported once per key and token)

    private static func keyType(_ curve: ECCurve) throws -> CK_ULONG {
        switch curve.family {
        case .weierstrass: CK_ULONG(CKK_EC)
        case .edwards: CK_ULONG(CKK_EC_EDWARDS)
        case .montgomery: throw CryptoError(.mechanismInvalid, "PKCS#11 provider: X25519 keys are not imported (no CKK_EC_MONTGOMERY in v2.40)")
        }
    }

    /// The private key as a session object; when the key carries its public
    /// key, the pair is checked first (a signature by the one verified by the
    /// other, on the token), so a mismatch is refused as every provider refuses it.
    private func privateObject(_ key: ECPrivateKey) throws -> PKCS11KeyObject {
        try key.handles.handle(cacheSlot + "#private") {
            let t = Self.sessionKeyTemplate(CK_ULONG(CKO_PRIVATE_KEY), keyType: try Self.keyType(key.curve))
            t.add(CK_ATTRIBUTE_TYPE(CKA_PRIVATE), bool: token.isLoggedIn)
            t.add(CK_ATTRIBUTE_TYPE(CKA_SENSITIVE), bool: true)
            t.add(CK_ATTRIBUTE_TYPE(CKA_SIGN), bool: true)
            t.add(CK_ATTRIBUTE_TYPE(CKA_DERIVE), bool: key.curve.family == .weierstrass)
            t.add(CK_ATTRIBUTE_TYPE(CKA_EC_PARAMS), key.curve.pkcs11Parameters)
            t.add(CK_ATTRIBUTE_TYPE(CKA_VALUE), key.scalar)
            let object = PKCS11KeyObject(handle: try token.createLastingObject(t), token: token)
            if let publicKey = key.publicKey { try checkPair(object, publicKey) }
            return object
        }
    }

    private func publicObject(_ key: ECPublicKey) throws -> PKCS11KeyObject {
        try key.handles.handle(cacheSlot + "#public") {
            let t = Self.sessionKeyTemplate(CK_ULONG(CKO_PUBLIC_KEY), keyType: try Self.keyType(key.curve))
            t.add(CK_ATTRIBUTE_TYPE(CKA_VERIFY), bool: true)
            t.add(CK_ATTRIBUTE_TYPE(CKA_EC_PARAMS), key.curve.pkcs11Parameters)
            t.add(CK_ATTRIBUTE_TYPE(CKA_EC_POINT), ECCurve.pkcs11PointAttribute(key.point))
            return PKCS11KeyObject(handle: try token.createLastingObject(t), token: token)
        }
    }

    /// Signs a fixed message with the private object and verifies it with the
    /// public key; refuses the pair when it does not verify.
    private func checkPair(_ object: PKCS11KeyObject, _ publicKey: ECPublicKey) throws {
        let mechanism: Mechanism = publicKey.curve.family == .edwards ? .eddsa : .ecdsa
        guard descriptor.info(for: mechanism) != nil else { return }  // nothing to check with: the token cannot sign
        let message = Array("CryptoFramework pairwise check".utf8)
        let signature = try sign(mechanism, with: object, curve: publicKey.curve, data: message)
        guard (try? verifyEC(mechanism, key: publicKey, data: message, signature: signature)) == true else {
            throw ECInputRules.publicKeyMismatch(publicKey.curve)
        }
    }
}
