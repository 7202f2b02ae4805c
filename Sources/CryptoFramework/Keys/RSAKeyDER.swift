import SwiftASN1

// DER import and export of RSA keys.
//
// Structures (all DER):
//   RSAPublicKey    ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }        RFC 8017 §A.1.1
//   RSAPrivateKey   ::= SEQUENCE { version, n, e, d, p, q, dP, dQ, qInv,
//                                  otherPrimeInfos OtherPrimeInfos OPTIONAL }       RFC 8017 §A.1.2
//   SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
//                                       subjectPublicKey BIT STRING }              RFC 5280 §4.1.1.2, §4.1.2.7
//   PrivateKeyInfo  ::= SEQUENCE { version INTEGER, privateKeyAlgorithm AlgorithmIdentifier,
//                                  privateKey OCTET STRING,
//                                  attributes [0] IMPLICIT Attributes OPTIONAL }    RFC 5208 §5
//   (version 1 adds publicKey [1] IMPLICIT BIT STRING OPTIONAL: OneAsymmetricKey, RFC 5958 §2)
//   rsaEncryption OBJECT IDENTIFIER ::= { 1 2 840 113549 1 1 1 }, parameters NULL  RFC 8017 §A.1, RFC 3279 §2.3.1

extension RSAPublicKey {
    /// Imports a public key from DER: an X.509 SubjectPublicKeyInfo (rsaEncryption,
    /// NULL or absent parameters) or a PKCS#1 RSAPublicKey.
    ///
    /// Throws `CryptoError(.keyInvalid, …)` for anything else, with a message that
    /// says what was found; `.keySizeRange` for a modulus outside the framework's range.
    public init(derRepresentation: some Collection<UInt8>) throws {
        let (n, e) = try RSAKeyDER.decodePublicKey(Array(derRepresentation)[...])
        try self.init(modulus: Array(n), publicExponent: Array(e))
    }

    /// The key as a DER SubjectPublicKeyInfo (RFC 5280), as `openssl pkey -pubout -outform DER` writes it.
    public var derRepresentation: [UInt8] {
        var serializer = DER.Serializer()
        // Serializing known-good integers and fixed structures cannot fail.
        try! serializer.appendConstructedNode(identifier: .sequence) { spki in
            try RSAKeyDER.serializeRSAAlgorithmIdentifier(into: &spki)
            try spki.serialize(ASN1BitString(bytes: self.pkcs1DERRepresentation[...]))
        }
        return serializer.serializedBytes
    }

    /// The key as a DER PKCS#1 RSAPublicKey (RFC 8017 §A.1.1).
    public var pkcs1DERRepresentation: [UInt8] {
        var serializer = DER.Serializer()
        serializer.appendConstructedNode(identifier: .sequence) { seq in
            KeyDER.appendUnsignedInteger(self.modulus, into: &seq)
            KeyDER.appendUnsignedInteger(self.publicExponent, into: &seq)
        }
        return serializer.serializedBytes
    }
}

extension RSAPrivateKey {
    /// Imports a private key from DER: a PKCS#8 PrivateKeyInfo (version 0 or 1,
    /// rsaEncryption) or a two-prime PKCS#1 RSAPrivateKey (version 0).
    ///
    /// Secret integers are copied from the input straight into `SecureBytes`; the
    /// caller's own buffer is the caller's to wipe. Every component is checked
    /// (`RSAKeyCheck`): a key with a damaged CRT value is rejected here.
    public init(derRepresentation: some Collection<UInt8>) throws {
        var der = Array(derRepresentation)
        defer { KeyDER.wipe(&der) }
        // Decoded in a helper so that every ASN1Node (which shares `der`'s storage)
        // is gone before the wipe, and the wipe clears `der` in place.
        let parts = try RSAKeyDER.decodePrivateKey(der[...])
        try self.init(
            modulus: parts.n, publicExponent: parts.e, privateExponent: parts.d,
            prime1: parts.p, prime2: parts.q, exponent1: parts.dp, exponent2: parts.dq,
            coefficient: parts.qinv)
    }

    /// The key as a DER PKCS#8 PrivateKeyInfo (RFC 5208, version 0), byte for byte
    /// what `openssl pkcs8 -topk8 -nocrypt -outform DER` writes.
    ///
    /// - Important: the result contains the private key in the clear. It is a plain
    ///   array so that it can be written out; wipe it when done.
    public var derRepresentation: [UInt8] {
        var pkcs1 = pkcs1DERRepresentation
        defer { KeyDER.wipe(&pkcs1) }
        var serializer = DER.Serializer()
        try! serializer.appendConstructedNode(identifier: .sequence) { info in
            try info.serialize(Int(0))  // version v1(0): RFC 5208 §5
            try RSAKeyDER.serializeRSAAlgorithmIdentifier(into: &info)
            info.appendPrimitiveNode(identifier: .octetString) { $0.append(contentsOf: pkcs1) }
        }
        return serializer.serializedBytes
    }

    /// The key as a DER PKCS#1 RSAPrivateKey (RFC 8017 §A.1.2, version 0, two primes).
    ///
    /// - Important: the result contains the private key in the clear; wipe it when done.
    public var pkcs1DERRepresentation: [UInt8] {
        var serializer = DER.Serializer()
        try! serializer.appendConstructedNode(identifier: .sequence) { seq in
            try seq.serialize(Int(0))  // version two-prime(0)
            KeyDER.appendUnsignedInteger(self.modulus, into: &seq)
            KeyDER.appendUnsignedInteger(self.publicExponent, into: &seq)
            for secret in [privateExponent, prime1, prime2, exponent1, exponent2, coefficient] {
                secret.withUnsafeBytes { KeyDER.appendUnsignedInteger($0, into: &seq) }
            }
        }
        return serializer.serializedBytes
    }
}

/// The DER codec behind the key types' initializers and properties.
enum RSAKeyDER {
    /// rsaEncryption: RFC 8017 §A.1 (pkcs-1 1).
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]

    struct PrivateParts {
        var n: [UInt8], e: [UInt8]
        var d: SecureBytes, p: SecureBytes, q: SecureBytes
        var dp: SecureBytes, dq: SecureBytes, qinv: SecureBytes
    }

    // MARK: Parsing

    /// AlgorithmIdentifier (RFC 5280 §4.1.1.2) that must be rsaEncryption with
    /// NULL or absent parameters (RFC 3279 §2.3.1 requires NULL; absent is seen in the wild).
    static func checkRSAAlgorithmIdentifier(_ node: ASN1Node) throws {
        let parts = try KeyDER.sequenceChildren(node, what: "AlgorithmIdentifier")
        guard let oidNode = parts.first, oidNode.identifier == .objectIdentifier else {
            throw CryptoError(.keyInvalid, "AlgorithmIdentifier does not start with an OBJECT IDENTIFIER")
        }
        let oid = try ASN1ObjectIdentifier(derEncoded: oidNode)
        guard oid == rsaEncryption else {
            let name = KeyDER.knownAlgorithms[oid].map { " (\($0))" } ?? ""
            throw CryptoError(.keyInvalid, "not an RSA key: algorithm OID \(oid)\(name); expected rsaEncryption \(rsaEncryption)")
        }
        switch parts.count {
        case 1:
            break
        case 2 where parts[1].identifier == .null:
            _ = try ASN1Null(derEncoded: parts[1])
        default:
            throw CryptoError(.keyInvalid, "rsaEncryption AlgorithmIdentifier must have NULL or absent parameters")
        }
    }

    /// SubjectPublicKeyInfo or PKCS#1 RSAPublicKey, told apart by the first element.
    static func decodePublicKey(_ der: ArraySlice<UInt8>) throws -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        let root = try KeyDER.parseRoot(der, what: "RSA public key")
        return try KeyDER.withDecodingContext("RSA public key") {
            let children = try KeyDER.sequenceChildren(root, what: "RSA public key")
            switch children.first?.identifier {
            case .some(.sequence): return try decodeSubjectPublicKeyInfo(root)
            case .some(.integer): return try decodePKCS1PublicKey(root)
            default:
                throw CryptoError(
                    .keyInvalid,
                    "not an RSA public key: expected a SubjectPublicKeyInfo or a PKCS#1 RSAPublicKey SEQUENCE")
            }
        }
    }

    /// PKCS#8 PrivateKeyInfo or PKCS#1 RSAPrivateKey, told apart by the second element.
    static func decodePrivateKey(_ der: ArraySlice<UInt8>) throws -> PrivateParts {
        let root = try KeyDER.parseRoot(der, what: "RSA private key")
        return try KeyDER.withDecodingContext("RSA private key") {
            let children = try KeyDER.sequenceChildren(root, what: "RSA private key")
            guard children.count >= 2, children[0].identifier == .integer else {
                throw CryptoError(
                    .keyInvalid,
                    "not an RSA private key: expected a PKCS#8 PrivateKeyInfo or a PKCS#1 RSAPrivateKey SEQUENCE")
            }
            switch children[1].identifier {
            case .sequence: return try decodePrivateKeyInfo(children)
            case .integer: return try decodePKCS1PrivateKey(root)
            default:
                throw CryptoError(
                    .keyInvalid,
                    "not an RSA private key: second element is \(KeyDER.tagName(children[1].identifier)), expected an AlgorithmIdentifier (PKCS#8) or the modulus (PKCS#1)")
            }
        }
    }

    static func decodeSubjectPublicKeyInfo(_ root: ASN1Node) throws -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        let parts = try KeyDER.sequenceChildren(root, what: "SubjectPublicKeyInfo")
        guard parts.count == 2 else {
            throw CryptoError(.keyInvalid, "SubjectPublicKeyInfo has \(parts.count) elements; expected algorithm and subjectPublicKey")
        }
        try checkRSAAlgorithmIdentifier(parts[0])
        guard parts[1].identifier == .bitString else {
            throw CryptoError(.keyInvalid, "SubjectPublicKeyInfo: subjectPublicKey must be a BIT STRING, found \(KeyDER.tagName(parts[1].identifier))")
        }
        let bits = try ASN1BitString(derEncoded: parts[1])
        guard bits.paddingBits == 0 else {
            throw CryptoError(.keyInvalid, "SubjectPublicKeyInfo: subjectPublicKey BIT STRING has \(bits.paddingBits) unused bits; expected whole octets")
        }
        let inner = try KeyDER.parseRoot(bits.bytes, what: "PKCS#1 RSAPublicKey inside SubjectPublicKeyInfo")
        return try decodePKCS1PublicKey(inner)
    }

    static func decodePKCS1PublicKey(_ root: ASN1Node) throws -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        let parts = try KeyDER.sequenceChildren(root, what: "PKCS#1 RSAPublicKey")
        guard parts.count == 2 else {
            let hint = parts.count >= 3 ? " (this looks like a private key: import it with RSAPrivateKey and use .publicKey)" : ""
            throw CryptoError(.keyInvalid, "PKCS#1 RSAPublicKey has \(parts.count) elements; expected modulus and publicExponent\(hint)")
        }
        return (
            try KeyDER.positiveInteger(parts[0], name: "RSA modulus"),
            try KeyDER.positiveInteger(parts[1], name: "RSA public exponent")
        )
    }

    static func decodePrivateKeyInfo(_ parts: [ASN1Node]) throws -> PrivateParts {
        let version = try KeyDER.smallInteger(parts[0], name: "PKCS#8 version")
        guard version == 0 || version == 1 else {
            throw CryptoError(.keyInvalid, "PKCS#8 PrivateKeyInfo has version \(version); only 0 and 1 are defined (RFC 5208, RFC 5958)")
        }
        try checkRSAAlgorithmIdentifier(parts[1])
        guard parts.count >= 3, parts[2].identifier == .octetString,
            case .primitive(let privateKey) = parts[2].content
        else {
            throw CryptoError(.keyInvalid, "PKCS#8 PrivateKeyInfo: privateKey must be an OCTET STRING")
        }
        // Optional trailing fields: attributes [0], and in version 1 publicKey [1].
        var expectedTag: UInt = 0
        var embeddedPublicKey: (ArraySlice<UInt8>, ArraySlice<UInt8>)? = nil
        for extra in parts.dropFirst(3) {
            let tag = extra.identifier.tagNumber
            guard extra.identifier.tagClass == .contextSpecific, tag >= expectedTag, tag <= 1,
                tag == 0 || version == 1
            else {
                throw CryptoError(.keyInvalid, "PKCS#8 PrivateKeyInfo has an unexpected element \(KeyDER.tagName(extra.identifier)) after privateKey")
            }
            if tag == 1 {
                let bits = try ASN1BitString(derEncoded: extra, withIdentifier: extra.identifier)
                let publicKey = try KeyDER.parseRoot(bits.bytes, what: "PKCS#8 publicKey")
                embeddedPublicKey = try decodePKCS1PublicKey(publicKey)
            }
            expectedTag = tag + 1
        }
        let inner = try KeyDER.parseRoot(privateKey, what: "PKCS#1 RSAPrivateKey inside PKCS#8")
        let key = try decodePKCS1PrivateKey(inner)
        if let (n, e) = embeddedPublicKey, !(n.elementsEqual(key.n) && e.elementsEqual(key.e)) {
            throw CryptoError(.keyInvalid, "PKCS#8 OneAsymmetricKey: the publicKey field does not match the private key")
        }
        return key
    }

    static func decodePKCS1PrivateKey(_ root: ASN1Node) throws -> PrivateParts {
        let parts = try KeyDER.sequenceChildren(root, what: "PKCS#1 RSAPrivateKey")
        guard let versionNode = parts.first else {
            throw CryptoError(.keyInvalid, "PKCS#1 RSAPrivateKey is an empty SEQUENCE")
        }
        let version = try KeyDER.smallInteger(versionNode, name: "PKCS#1 RSAPrivateKey version")
        if version == 1 {
            throw CryptoError(.keyInvalid, "PKCS#1 RSAPrivateKey has version 1 (multi-prime); only two-prime keys are supported")
        }
        guard version == 0 else {
            throw CryptoError(.keyInvalid, "PKCS#1 RSAPrivateKey has unknown version \(version); expected 0 (two-prime)")
        }
        guard parts.count == 9 else {
            throw CryptoError(
                .keyInvalid,
                parts.count > 9
                    ? "PKCS#1 RSAPrivateKey version 0 carries otherPrimeInfos or extra elements; only two-prime keys are supported"
                    : "PKCS#1 RSAPrivateKey has \(parts.count) elements; expected 9 (version, n, e, d, p, q, dP, dQ, qInv)")
        }
        func secret(_ index: Int, _ name: String) throws -> SecureBytes {
            SecureBytes(try KeyDER.positiveInteger(parts[index], name: name))
        }
        return PrivateParts(
            n: Array(try KeyDER.positiveInteger(parts[1], name: "RSA modulus")),
            e: Array(try KeyDER.positiveInteger(parts[2], name: "RSA public exponent")),
            d: try secret(3, "RSA private exponent"),
            p: try secret(4, "RSA prime1 (p)"),
            q: try secret(5, "RSA prime2 (q)"),
            dp: try secret(6, "RSA exponent1 (d mod p−1)"),
            dq: try secret(7, "RSA exponent2 (d mod q−1)"),
            qinv: try secret(8, "RSA coefficient (q⁻¹ mod p)"))
    }

    // MARK: Serializing

    static func serializeRSAAlgorithmIdentifier(into serializer: inout DER.Serializer) throws {
        try serializer.appendConstructedNode(identifier: .sequence) { algorithm in
            try algorithm.serialize(rsaEncryption)
            try algorithm.serialize(ASN1Null())
        }
    }
}
