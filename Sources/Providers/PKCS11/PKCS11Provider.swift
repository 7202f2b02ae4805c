internal import CPKCS11
import CryptoFramework

/// A PKCS#11 module (SoftHSM2, a vendor's HSM library) as a provider: the
/// token's mechanisms as data, our keys imported as session objects once per
/// key, operations in pooled sessions. The module is installed by a kcf.conf
/// line (`cryptoadm install provider=/path/lib.so`), which may name a pinfile,
/// a slot or a token label.
public final class PKCS11Provider: CryptoProvider {
    public let descriptor: ProviderDescriptor
    let token: PKCS11Token
    /// Where an imported key's object is cached behind the key: per module and slot.
    let cacheSlot: String

    /// Loads the module at `path` and opens the token `policy` names. Throws
    /// a clear error (nothing is left loaded or logged in) when the file is not
    /// a PKCS#11 module, C_Initialize fails, no token fits, or the PIN is wrong.
    public init(path: String, policy: ProviderPolicy = ProviderPolicy()) throws {
        let library = try PKCS11Library.load(path)
        token = try PKCS11Token.open(library, policy: policy)
        cacheSlot = "pkcs11:\(path)#\(token.slot)"
        var mechanisms = try library.mechanisms(token.slot).compactMap { PKCS11Mechanisms.info($0.0, $0.1) }
        if token.tokenFlags & CK_FLAGS(CKF_RNG) != 0 {
            mechanisms.append(MechanismInfo(.random, flags: []))
        }
        descriptor = ProviderDescriptor(
            name: path, kind: .pkcs11Module,
            summary: "PKCS#11 \(library.info.description) (\(library.info.manufacturer)), slot \(token.slot), token '\(token.label)'",
            mechanisms: mechanisms)
    }

    /// The platforms' `makeModuleProvider`: a provider for an installed module.
    public static let factory: @Sendable (String, ProviderPolicy) throws -> any CryptoProvider = { path, policy in
        try PKCS11Provider(path: path, policy: policy)
    }

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        switch request {
        case .sign(let mechanism, let key, let data, let pss):
            return .bytes(try sign(mechanism, key: key, data: data, pss: pss))
        case .verify(let mechanism, let key, let data, let signature, let pss):
            return .verified(try verify(mechanism, key: key, data: data, signature: signature, pss: pss))
        case .digest(let mechanism, let data):
            return .bytes(try digest(mechanism, data: data))
        case .generateRSAKeyPair(let bits, let exponent):
            return .rsaKeyPair(try generateRSA(bits: bits, publicExponent: exponent))
        case .generateDHKeyPair(let group, let privateBits):
            return .dhKeyPair(try generateDH(group: group, privateBits: privateBits))
        case .deriveDH(let key, let peer):
            return .secret(try deriveDH(key, peerPublicValue: peer))
        case .random(let count):
            return .bytes(try random(count))
        case .signEC(let mechanism, let key, let data):
            return .bytes(try signEC(mechanism, key: key, data: data))
        case .verifyEC(let mechanism, let key, let data, let signature):
            return .verified(try verifyEC(mechanism, key: key, data: data, signature: signature))
        case .generateECKeyPair(let curve):
            return .ecKeyPair(try generateEC(curve))
        case .deriveECDH(let key, let peer, let parameters):
            return .secret(try deriveECDH(key, peerPublicValue: peer, parameters: parameters))
        case .encryptRSA(let mechanism, let key, let data, let oaep):
            // The token computes m^e mod n (its CKM_RSA_X_509); the padding is the framework's,
            // so the answer is every provider's.
            return .bytes(try RSAEncryption.encrypt(
                mechanism, key: key, data: data, oaep: oaep,
                publicOperation: { try rawRSA($0, object: try publicObject(key), k: key.byteCount, encrypting: true) },
                random: { count in SecureBytes(try random(count)) },
                hash: { hash, bytes in try digest(hash.digestMechanism, data: bytes) }))
        case .decryptRSA(let mechanism, let key, let data, let oaep):
            // c^d mod n on the token (CKM_RSA_X_509), unpadded by the framework: the token's own
            // PKCS#1 v1.5 and OAEP errors would differ from the other providers'.
            return .secret(try RSAEncryption.decrypt(
                mechanism, key: key, ciphertext: data, oaep: oaep,
                privateOperation: { try rawRSA($0, object: try privateObject(key), k: key.publicKey.byteCount, encrypting: false) },
                hash: { hash, bytes in try digest(hash.digestMechanism, data: bytes) }))
        case .mac(let mechanism, let key, let data):
            return .secret(try mac(mechanism, key: key, data: data))
        case .encrypt(let mechanism, let key, let parameters, let data):
            return .bytes(try crypt(mechanism, key: key, parameters: parameters, data: data, encrypting: true))
        case .decrypt(let mechanism, let key, let parameters, let data):
            return .bytes(try crypt(mechanism, key: key, parameters: parameters, data: data, encrypting: false))
        }
    }

    var library: PKCS11Library { token.library }
    var functions: CK_FUNCTION_LIST { token.library.functions.pointee }

    // MARK: RSA signatures

    private func sign(_ mechanism: Mechanism, key: RSAPrivateKey, data: [UInt8], pss: PSSParameters?) throws -> [UInt8] {
        // The framework's rules, not the module's: a bad input gets the same answer as on every other provider.
        let parameters = try RSAInputRules.checkSign(try scheme(mechanism), key: key.publicKey, data: data, pss: pss)
        let object = try privateObject(key)
        return try withMechanism(mechanism, pss: parameters) { ckMechanism in
            try token.withSession { session in
                try library.check(functions.C_SignInit(session, ckMechanism, object.handle), "C_SignInit")
                var input = data
                var signature = [UInt8](repeating: 0, count: key.publicKey.byteCount)
                var length = CK_ULONG(signature.count)
                try library.check(functions.C_Sign(session, &input, CK_ULONG(input.count), &signature, &length), "C_Sign")
                return Array(signature.prefix(Int(clamping: length)))
            }
        }
    }

    private func verify(
        _ mechanism: Mechanism, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters?
    ) throws -> Bool {
        let parameters = try RSAInputRules.checkVerify(
            try scheme(mechanism), key: key, data: data, signature: signature, pss: pss)
        // The token gets the k-byte representative: a module may insist on exactly k bytes.
        let signature = RSAInputRules.signatureRepresentative(signature, of: key)
        guard RSAInputRules.isRepresentative(signature, of: key) else { return false }
        let object = try publicObject(key)
        return try withMechanism(mechanism, pss: parameters) { ckMechanism in
            try verify(ckMechanism, with: object, data: data, signature: signature)
        }
    }

    /// C_VerifyInit and C_Verify with a public key object: CKR_SIGNATURE_INVALID is `false`.
    func verify(_ mechanism: UnsafeMutablePointer<CK_MECHANISM>, with object: PKCS11KeyObject, data: [UInt8], signature: [UInt8]) throws -> Bool {
        try token.withSession { session in
            try library.check(functions.C_VerifyInit(session, mechanism, object.handle), "C_VerifyInit")
            var input = data, sig = signature
            let rv = functions.C_Verify(session, &input, CK_ULONG(input.count), &sig, CK_ULONG(sig.count))
            switch rv {
            case CKR_OK: return true
            // The verify operation is over; the session is clean and can go back to the pool.
            case CKR_SIGNATURE_INVALID: return false
            default: throw PKCS11Failure.error(rv, "C_Verify", library.path)
            }
        }
    }

    private func scheme(_ mechanism: Mechanism) throws -> RSAScheme {
        guard let scheme = RSAScheme(mechanism) else {
            throw CryptoError(.mechanismInvalid, "\(mechanism.name) is no RSA signature mechanism")
        }
        return scheme
    }

    /// A CK_MECHANISM for `mechanism`, with CK_RSA_PKCS_PSS_PARAMS when `pss`
    /// (the parameters ``RSAInputRules`` resolved) is given.
    private func withMechanism<R>(
        _ mechanism: Mechanism, pss: PSSParameters?, _ body: (UnsafeMutablePointer<CK_MECHANISM>) throws -> R
    ) throws -> R {
        var ck = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanism.value), pParameter: nil, ulParameterLen: 0)
        guard let parameters = pss else { return try body(&ck) }
        var params = CK_RSA_PKCS_PSS_PARAMS(
            hashAlg: CK_MECHANISM_TYPE(parameters.hash.digestMechanism.value),
            mgf: Self.mgf1(parameters.mgf1Hash), sLen: CK_ULONG(parameters.saltLength))  // ≥ 0: the rules checked it
        return try withUnsafeMutableBytes(of: &params) { raw in
            ck.pParameter = raw.baseAddress
            ck.ulParameterLen = CK_ULONG(raw.count)
            return try body(&ck)
        }
    }

    private static func mgf1(_ hash: HashAlgorithm) -> CK_RSA_PKCS_MGF_TYPE {
        switch hash {
        case .sha1: CK_RSA_PKCS_MGF_TYPE(CKG_MGF1_SHA1)
        case .sha224: CK_RSA_PKCS_MGF_TYPE(CKG_MGF1_SHA224)
        case .sha256: CK_RSA_PKCS_MGF_TYPE(CKG_MGF1_SHA256)
        case .sha384: CK_RSA_PKCS_MGF_TYPE(CKG_MGF1_SHA384)
        case .sha512: CK_RSA_PKCS_MGF_TYPE(CKG_MGF1_SHA512)
        }
    }

    // MARK: RSA encryption

    /// C_Encrypt or C_Decrypt with CKM_RSA_X_509: the k-byte power of a k-byte
    /// block (a token that drops the result's leading zeros gets them back).
    private func rawRSA(_ input: [UInt8], object: PKCS11KeyObject, k: Int, encrypting: Bool) throws -> [UInt8] {
        var ck = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(CKM_RSA_X_509), pParameter: nil, ulParameterLen: 0)
        return try token.withSession { session in
            var data = input
            var out = [UInt8](repeating: 0, count: k)
            var length = CK_ULONG(k)
            if encrypting {
                try library.check(functions.C_EncryptInit(session, &ck, object.handle), "C_EncryptInit")
                try library.check(functions.C_Encrypt(session, &data, CK_ULONG(data.count), &out, &length), "C_Encrypt")
            } else {
                try library.check(functions.C_DecryptInit(session, &ck, object.handle), "C_DecryptInit")
                try library.check(functions.C_Decrypt(session, &data, CK_ULONG(data.count), &out, &length), "C_Decrypt")
            }
            guard length <= CK_ULONG(k) else { throw CryptoError(.providerFailed, "\(library.path): CKM_RSA_X_509 returned \(length) bytes") }
            let result = [UInt8](repeating: 0, count: k - Int(length)) + out.prefix(Int(length))
            out.wipe()
            return result
        }
    }

    // MARK: Key objects (imported once per key and token)

    private func privateObject(_ key: RSAPrivateKey) throws -> PKCS11KeyObject {
        try key.handles.handle(cacheSlot + "#private") {
            let t = Self.sessionKeyTemplate(CK_ULONG(CKO_PRIVATE_KEY), keyType: CK_ULONG(CKK_RSA))
            t.add(CK_ATTRIBUTE_TYPE(CKA_PRIVATE), bool: token.isLoggedIn)
            t.add(CK_ATTRIBUTE_TYPE(CKA_SENSITIVE), bool: true)
            t.add(CK_ATTRIBUTE_TYPE(CKA_SIGN), bool: true)
            t.add(CK_ATTRIBUTE_TYPE(CKA_DECRYPT), bool: true)
            t.add(CK_ATTRIBUTE_TYPE(CKA_MODULUS), key.modulus)
            t.add(CK_ATTRIBUTE_TYPE(CKA_PUBLIC_EXPONENT), key.publicExponent)
            t.add(CK_ATTRIBUTE_TYPE(CKA_PRIVATE_EXPONENT), key.privateExponent)
            t.add(CK_ATTRIBUTE_TYPE(CKA_PRIME_1), key.prime1)
            t.add(CK_ATTRIBUTE_TYPE(CKA_PRIME_2), key.prime2)
            t.add(CK_ATTRIBUTE_TYPE(CKA_EXPONENT_1), key.exponent1)
            t.add(CK_ATTRIBUTE_TYPE(CKA_EXPONENT_2), key.exponent2)
            t.add(CK_ATTRIBUTE_TYPE(CKA_COEFFICIENT), key.coefficient)
            return PKCS11KeyObject(handle: try token.createLastingObject(t), token: token)
        }
    }

    private func publicObject(_ key: RSAPublicKey) throws -> PKCS11KeyObject {
        try key.handles.handle(cacheSlot + "#public") {
            let t = Self.sessionKeyTemplate(CK_ULONG(CKO_PUBLIC_KEY), keyType: CK_ULONG(CKK_RSA))
            t.add(CK_ATTRIBUTE_TYPE(CKA_VERIFY), bool: true)
            t.add(CK_ATTRIBUTE_TYPE(CKA_ENCRYPT), bool: true)
            t.add(CK_ATTRIBUTE_TYPE(CKA_MODULUS), key.modulus)
            t.add(CK_ATTRIBUTE_TYPE(CKA_PUBLIC_EXPONENT), key.publicExponent)
            return PKCS11KeyObject(handle: try token.createLastingObject(t), token: token)
        }
    }

    // MARK: Digest and random

    private func digest(_ mechanism: Mechanism, data: [UInt8]) throws -> [UInt8] {
        var ck = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanism.value), pParameter: nil, ulParameterLen: 0)
        return try token.withSession { session in
            try library.check(functions.C_DigestInit(session, &ck), "C_DigestInit")
            var input = data
            var output = [UInt8](repeating: 0, count: 64)
            var length = CK_ULONG(output.count)
            try library.check(functions.C_Digest(session, &input, CK_ULONG(input.count), &output, &length), "C_Digest")
            return Array(output.prefix(Int(clamping: length)))
        }
    }

    private func random(_ count: Int) throws -> [UInt8] {
        try CryptoRequest.checkRandomCount(count)
        var bytes = [UInt8](repeating: 0, count: count)
        if count == 0 { return bytes }
        try token.withSession { session in
            try library.check(functions.C_GenerateRandom(session, &bytes, CK_ULONG(count)), "C_GenerateRandom")
        }
        return bytes
    }

    // MARK: Key generation and derivation

    /// Objects made inside one operation, destroyed in its session however it ends.
    func withTemporaryObjects<R>(
        _ body: (CK_SESSION_HANDLE, inout [CK_OBJECT_HANDLE]) throws -> R
    ) throws -> R {
        try token.withSession { session in
            var objects: [CK_OBJECT_HANDLE] = []
            defer { for object in objects { _ = functions.C_DestroyObject(session, object) } }
            return try body(session, &objects)
        }
    }

    /// RSA key pair on the token, exported to build our key: the private half
    /// is generated extractable and not sensitive, or the token would refuse.
    private func generateRSA(bits: Int, publicExponent: [UInt8]) throws -> RSAPrivateKey {
        let pub = PKCS11AttributeTemplate()
        pub.add(CK_ATTRIBUTE_TYPE(CKA_TOKEN), bool: false)
        pub.add(CK_ATTRIBUTE_TYPE(CKA_VERIFY), bool: true)
        pub.add(CK_ATTRIBUTE_TYPE(CKA_MODULUS_BITS), ulong: CK_ULONG(bits))
        pub.add(CK_ATTRIBUTE_TYPE(CKA_PUBLIC_EXPONENT), publicExponent)
        let priv = exportablePrivateTemplate(usage: CKA_SIGN)
        return try withGeneratedKeyPair(CKM_RSA_PKCS_KEY_PAIR_GEN, public: pub, private: priv) { session, _, privHandle in
            func value(_ type: UInt) throws -> [UInt8] { try token.attribute(CK_ATTRIBUTE_TYPE(type), of: privHandle, session: session) }
            func secret(_ type: UInt) throws -> SecureBytes {
                try token.secretAttribute(CK_ATTRIBUTE_TYPE(type), of: privHandle, session: session)
            }
            return try RSAPrivateKey(
                modulus: value(CKA_MODULUS), publicExponent: value(CKA_PUBLIC_EXPONENT),
                privateExponent: secret(CKA_PRIVATE_EXPONENT), prime1: secret(CKA_PRIME_1), prime2: secret(CKA_PRIME_2),
                exponent1: secret(CKA_EXPONENT_1), exponent2: secret(CKA_EXPONENT_2), coefficient: secret(CKA_COEFFICIENT))
        }
    }

    /// The private half of a key pair generated to be exported into our key
    /// (a session object, extractable and not sensitive, or the token would
    /// refuse to reveal it), with its `usage` attribute true.
    func exportablePrivateTemplate(usage: UInt) -> PKCS11AttributeTemplate {
        let priv = PKCS11AttributeTemplate()
        priv.add(CK_ATTRIBUTE_TYPE(CKA_TOKEN), bool: false)
        priv.add(CK_ATTRIBUTE_TYPE(CKA_PRIVATE), bool: token.isLoggedIn)
        priv.add(CK_ATTRIBUTE_TYPE(usage), bool: true)
        priv.add(CK_ATTRIBUTE_TYPE(CKA_SENSITIVE), bool: false)
        priv.add(CK_ATTRIBUTE_TYPE(CKA_EXTRACTABLE), bool: true)
        return priv
    }

    /// The start of a session key object's template: its class and key type, not on the token.
    static func sessionKeyTemplate(_ objectClass: CK_ULONG, keyType: CK_ULONG) -> PKCS11AttributeTemplate {
        let t = PKCS11AttributeTemplate()
        t.add(CK_ATTRIBUTE_TYPE(CKA_CLASS), ulong: objectClass)
        t.add(CK_ATTRIBUTE_TYPE(CKA_KEY_TYPE), ulong: keyType)
        t.add(CK_ATTRIBUTE_TYPE(CKA_TOKEN), bool: false)
        return t
    }

    /// A derived generic secret of `length` bytes that can be read back.
    static func readableSecretTemplate(length: Int) -> PKCS11AttributeTemplate {
        let derived = Self.sessionKeyTemplate(CK_ULONG(CKO_SECRET_KEY), keyType: CK_ULONG(CKK_GENERIC_SECRET))
        derived.add(CK_ATTRIBUTE_TYPE(CKA_SENSITIVE), bool: false)
        derived.add(CK_ATTRIBUTE_TYPE(CKA_EXTRACTABLE), bool: true)
        derived.add(CK_ATTRIBUTE_TYPE(CKA_VALUE_LEN), ulong: CK_ULONG(length))
        return derived
    }

    /// Generates a key pair with `mechanism` from the two templates and hands
    /// its objects to `extract`; they are destroyed however the call ends.
    func withGeneratedKeyPair<R>(
        _ mechanism: UInt, public pub: PKCS11AttributeTemplate, private priv: PKCS11AttributeTemplate,
        extract: (CK_SESSION_HANDLE, CK_OBJECT_HANDLE, CK_OBJECT_HANDLE) throws -> R
    ) throws -> R {
        var ck = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanism), pParameter: nil, ulParameterLen: 0)
        return try withTemporaryObjects { session, objects in
            var pubHandle: CK_OBJECT_HANDLE = 0, privHandle: CK_OBJECT_HANDLE = 0
            try pub.withAttributes { pa, pc in
                try priv.withAttributes { sa, sc in
                    try library.check(
                        functions.C_GenerateKeyPair(session, &ck, pa, pc, sa, sc, &pubHandle, &privHandle), "C_GenerateKeyPair")
                }
            }
            objects = [pubHandle, privHandle]
            return try extract(session, pubHandle, privHandle)
        }
    }

    /// DH key pair on the token. With no length requested, the group's default
    /// (twice its strength) is asked for; a token that refuses it (SoftHSM over
    /// OpenSSL 3 wants at least 224 bits for the 2048-bit group) picks its own.
    private func generateDH(group: DHGroup, privateBits: Int?) throws -> DHKeyPair {
        let bits = try group.privateExponentBits(requested: privateBits)
        do {
            return try generateDH(group: group, valueBits: bits)
        } catch let error as CryptoError where privateBits == nil && error.code == .deviceError {
            return try generateDH(group: group, valueBits: nil)
        }
    }

    private func generateDH(group: DHGroup, valueBits bits: Int?) throws -> DHKeyPair {
        let pub = PKCS11AttributeTemplate()
        pub.add(CK_ATTRIBUTE_TYPE(CKA_TOKEN), bool: false)
        pub.add(CK_ATTRIBUTE_TYPE(CKA_PRIME), group.prime)
        pub.add(CK_ATTRIBUTE_TYPE(CKA_BASE), group.generator)
        let priv = exportablePrivateTemplate(usage: CKA_DERIVE)
        if let bits { priv.add(CK_ATTRIBUTE_TYPE(CKA_VALUE_BITS), ulong: CK_ULONG(bits)) }
        return try withGeneratedKeyPair(CKM_DH_PKCS_KEY_PAIR_GEN, public: pub, private: priv) { session, pubHandle, privHandle in
            let x = try token.secretAttribute(CK_ATTRIBUTE_TYPE(CKA_VALUE), of: privHandle, session: session)
            let y = try token.attribute(CK_ATTRIBUTE_TYPE(CKA_VALUE), of: pubHandle, session: session)
            return DHKeyPair(
                privateKey: DHPrivateKey(group: group, value: x),
                publicValue: Self.leftPadded(y, to: group.byteCount))
        }
    }

    /// CKM_DH_PKCS_DERIVE into a CKK_GENERIC_SECRET of the prime's length, read back.
    private func deriveDH(_ key: DHPrivateKey, peerPublicValue peer: [UInt8]) throws -> SecureBytes {
        try DHRange.checkPeerValue(peer, group: key.group)
        let base = Self.sessionKeyTemplate(CK_ULONG(CKO_PRIVATE_KEY), keyType: CK_ULONG(CKK_DH))
        base.add(CK_ATTRIBUTE_TYPE(CKA_PRIVATE), bool: token.isLoggedIn)
        base.add(CK_ATTRIBUTE_TYPE(CKA_DERIVE), bool: true)
        base.add(CK_ATTRIBUTE_TYPE(CKA_PRIME), key.group.prime)
        base.add(CK_ATTRIBUTE_TYPE(CKA_BASE), key.group.generator)
        base.add(CK_ATTRIBUTE_TYPE(CKA_VALUE), key.value)
        let derived = Self.readableSecretTemplate(length: key.group.byteCount)
        return try withTemporaryObjects { session, objects in
            var baseHandle: CK_OBJECT_HANDLE = 0
            try base.withAttributes { a, c in
                try library.check(functions.C_CreateObject(session, a, c, &baseHandle), "C_CreateObject")
            }
            objects.append(baseHandle)
            var peerBytes = peer
            var secretHandle: CK_OBJECT_HANDLE = 0
            try peerBytes.withUnsafeMutableBytes { raw in
                var ck = CK_MECHANISM(
                    mechanism: CK_MECHANISM_TYPE(CKM_DH_PKCS_DERIVE), pParameter: raw.baseAddress,
                    ulParameterLen: CK_ULONG(raw.count))
                try derived.withAttributes { a, c in
                    try library.check(functions.C_DeriveKey(session, &ck, baseHandle, a, c, &secretHandle), "C_DeriveKey")
                }
            }
            objects.append(secretHandle)
            return try token.secretAttribute(
                CK_ATTRIBUTE_TYPE(CKA_VALUE), of: secretHandle, session: session, paddedTo: key.group.byteCount)
        }
    }

    /// Big-endian values as fixed-length strings of the prime's length (RFC 2631 §2.1.2: ZZ keeps leading zeros).
    private static func leftPadded(_ bytes: [UInt8], to count: Int) -> [UInt8] {
        bytes.count >= count ? bytes : [UInt8](repeating: 0, count: count - bytes.count) + bytes
    }
}
