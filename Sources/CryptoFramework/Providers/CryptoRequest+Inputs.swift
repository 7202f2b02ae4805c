extension CryptoRequest {
    /// Throws the framework's one answer to a malformed request, before any
    /// provider is chosen: RSA inputs by ``RSAInputRules``, a DH peer value by
    /// ``DHRange/checkPeerValue(_:group:)``, EC inputs by ``ECInputRules``. The
    /// built-in providers apply the same rules on their own paths (a provider
    /// can be driven directly), so a request gets the same error whoever would
    /// have served it — a PKCS#11 module's own ideas included. Requests of
    /// other kinds pass unchanged.
    public func checkInputs() throws {
        switch self {
        case .sign(let mechanism, let key, let data, let pss):
            guard let scheme = RSAScheme(mechanism) else { return }
            try RSAInputRules.checkSign(scheme, key: key.publicKey, data: data, pss: pss)
        case .verify(let mechanism, let key, let data, let signature, let pss):
            guard let scheme = RSAScheme(mechanism) else { return }
            try RSAInputRules.checkVerify(scheme, key: key, data: data, signature: signature, pss: pss)
        case .deriveDH(let privateKey, let peerPublicValue):
            try DHRange.checkPeerValue(peerPublicValue, group: privateKey.group)
        case .signEC(let mechanism, let key, _):
            try ECInputRules.checkSign(mechanism, curve: key.curve)
        case .verifyEC(let mechanism, let key, _, let signature):
            try ECInputRules.checkVerify(mechanism, curve: key.curve, signature: signature)
        case .deriveECDH(let privateKey, let peerPublicValue, let parameters):
            _ = try ECInputRules.checkDerivePeer(privateKey: privateKey, peerPublicValue: peerPublicValue, parameters: parameters)
        case .encryptRSA(let mechanism, let key, let data, let oaep):
            try RSAEncryption.checkEncrypt(mechanism, key: key, data: data, oaep: oaep)
        case .decryptRSA(let mechanism, let key, let data, let oaep):
            try RSAEncryption.checkDecrypt(mechanism, key: key.publicKey, ciphertext: data, oaep: oaep)
        case .encrypt(let mechanism, let key, let parameters, let data) where AESKeyWrap.mechanisms.contains(mechanism):
            try AESKeyWrap.check(mechanism, key: key, iv: parameters.ivBytes, data: data, wrapping: true)
        case .decrypt(let mechanism, let key, let parameters, let data) where AESKeyWrap.mechanisms.contains(mechanism):
            try AESKeyWrap.check(mechanism, key: key, iv: parameters.ivBytes, data: data, wrapping: false)
        case .encrypt(let mechanism, _, let parameters, let data):
            try CipherRules.checkData(mechanism, parameters, count: data.count, encrypting: true)
        case .decrypt(let mechanism, _, let parameters, let data):
            try CipherRules.checkData(mechanism, parameters, count: data.count, encrypting: false)
        case .digest, .mac, .generateRSAKeyPair, .generateDHKeyPair, .generateECKeyPair, .random:
            return
        }
    }
}

extension CryptoRequest {
    /// Largest single `random` request, so one caller cannot make a provider allocate without bound.
    public static let maxRandomBytes = 1 << 20

    /// Throws ``CryptoError/Code/dataLengthRange`` unless `count` is in `0...maxRandomBytes`:
    /// every provider that serves `random` answers a bad count the same way.
    public static func checkRandomCount(_ count: Int) throws {
        guard count >= 0, count <= maxRandomBytes else {
            throw CryptoError(.dataLengthRange, "random: \(count) bytes requested; 0...\(maxRandomBytes) allowed")
        }
    }
}
