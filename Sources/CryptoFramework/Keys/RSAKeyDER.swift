import SwiftASN1

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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
            RSAKeyDER.appendUnsignedInteger(self.modulus, into: &seq)
            RSAKeyDER.appendUnsignedInteger(self.publicExponent, into: &seq)
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
        defer { RSAKeyDER.wipe(&der) }
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
        defer { RSAKeyDER.wipe(&pkcs1) }
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
            RSAKeyDER.appendUnsignedInteger(self.modulus, into: &seq)
            RSAKeyDER.appendUnsignedInteger(self.publicExponent, into: &seq)
            for secret in [privateExponent, prime1, prime2, exponent1, exponent2, coefficient] {
                secret.withUnsafeBytes { RSAKeyDER.appendUnsignedInteger($0, into: &seq) }
            }
        }
        return serializer.serializedBytes
    }
}

/// The DER codec behind the key types' initializers and properties.
enum RSAKeyDER {
    /// rsaEncryption: RFC 8017 §A.1 (pkcs-1 1).
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]

    /// Names for algorithm OIDs a caller is likely to hand us by mistake, so the
    /// error can say what the key is.
    static let knownAlgorithms: [ASN1ObjectIdentifier: String] = [
        [1, 2, 840, 10045, 2, 1]: "id-ecPublicKey, an EC key",  // RFC 5480 §2.1.1
        [1, 2, 840, 113549, 1, 1, 10]: "id-RSASSA-PSS, an RSA-PSS-restricted key, which is not supported",  // RFC 8017 §A.2.3
        [1, 2, 840, 10040, 4, 1]: "id-dsa, a DSA key",  // RFC 3279 §2.3.2
        [1, 2, 840, 113549, 1, 3, 1]: "dhKeyAgreement, a DH key",  // PKCS#3
        [1, 2, 840, 10046, 2, 1]: "dhpublicnumber, a DH key",  // RFC 3279 §2.3.3
        [1, 3, 101, 110]: "id-X25519",  // RFC 8410 §3
        [1, 3, 101, 111]: "id-X448",
        [1, 3, 101, 112]: "id-Ed25519",
        [1, 3, 101, 113]: "id-Ed448",
    ]

    struct PrivateParts {
        var n: [UInt8], e: [UInt8]
        var d: SecureBytes, p: SecureBytes, q: SecureBytes
        var dp: SecureBytes, dq: SecureBytes, qinv: SecureBytes
    }

    // MARK: Parsing

    /// Parses one DER element that must span the whole input, with messages for the
    /// commonest damage (empty input, truncation, trailing bytes) stated plainly.
    static func parseRoot(_ der: ArraySlice<UInt8>, what: String) throws -> ASN1Node {
        guard !der.isEmpty else {
            throw CryptoError(.keyInvalid, "\(what): the input is empty")
        }
        if let declared = outerElementLength(der) {
            if declared < der.count {
                throw CryptoError(
                    .keyInvalid,
                    "\(what): trailing bytes after the key (the DER element is \(declared) bytes, the input \(der.count))")
            }
            if declared > der.count {
                throw CryptoError(
                    .keyInvalid,
                    "\(what): truncated DER (the element declares \(declared) bytes, only \(der.count) given)")
            }
        }
        return try withDecodingContext(what) { try DER.parse(der) }
    }

    /// Total length (header + contents) declared by the first element's header, or
    /// nil when the header itself cannot be read (the full parser then reports why).
    static func outerElementLength(_ der: ArraySlice<UInt8>) -> Int? {
        let start = der.startIndex
        guard der.count >= 2, der[start] & 0x1F != 0x1F else { return nil }
        let first = der[start + 1]
        if first < 0x80 { return 2 + Int(first) }
        let lengthBytes = Int(first & 0x7F)
        guard lengthBytes >= 1, lengthBytes <= 4, der.count >= 2 + lengthBytes else { return nil }
        var length = 0
        for byte in der[(start + 2)..<(start + 2 + lengthBytes)] { length = length << 8 | Int(byte) }
        return 2 + lengthBytes + length
    }

    /// Runs a decoding step, turning SwiftASN1's errors into `keyInvalid` with a
    /// message that names the structure being read.
    static func withDecodingContext<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CryptoError {
            throw error
        } catch let error as ASN1Error {
            let problem: String
            switch error.code {
            case .truncatedASN1Field: problem = "truncated DER element"
            case .invalidASN1IntegerEncoding: problem = "an INTEGER is not minimally encoded"
            case .unsupportedFieldLength: problem = "a DER length field is too large"
            case .unexpectedFieldType: problem = "unexpected ASN.1 element type"
            case .tooFewOIDComponents: problem = "malformed OBJECT IDENTIFIER"
            case .invalidPEMDocument: problem = "malformed PEM"
            default: problem = "malformed DER"
            }
            throw CryptoError(.keyInvalid, "\(what): \(problem) (\(error.code))")
        } catch {
            throw CryptoError(.keyInvalid, "\(what): \(error)")
        }
    }

    /// A tag as a person reads it in an ASN.1 module: "INTEGER", "[0]", "[APPLICATION 2]".
    static func tagName(_ identifier: ASN1Identifier) -> String {
        switch identifier.tagClass {
        case .universal:
            let names: [UInt: String] = [
                1: "BOOLEAN", 2: "INTEGER", 3: "BIT STRING", 4: "OCTET STRING", 5: "NULL",
                6: "OBJECT IDENTIFIER", 16: "SEQUENCE", 17: "SET",
            ]
            return names[identifier.tagNumber] ?? "universal tag \(identifier.tagNumber)"
        case .contextSpecific: return "[\(identifier.tagNumber)]"
        case .application: return "[APPLICATION \(identifier.tagNumber)]"
        case .private: return "[PRIVATE \(identifier.tagNumber)]"
        }
    }

    static func sequenceChildren(_ node: ASN1Node, what: String) throws -> [ASN1Node] {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw CryptoError(.keyInvalid, "\(what): expected a SEQUENCE, found \(tagName(node.identifier))")
        }
        return Array(children)
    }

    /// A positive INTEGER's magnitude, big-endian, the DER sign byte removed.
    /// The slice points into the caller's input: no copy is made here.
    static func positiveInteger(_ node: ASN1Node, name: String) throws -> ArraySlice<UInt8> {
        guard node.identifier == .integer, case .primitive(let bytes) = node.content else {
            throw CryptoError(.keyInvalid, "\(name): expected an INTEGER, found \(tagName(node.identifier))")
        }
        guard let first = bytes.first else {
            throw CryptoError(.keyInvalid, "\(name): INTEGER has no content octets")
        }
        if bytes.count > 1 {
            let second = bytes[bytes.index(after: bytes.startIndex)]
            // X.690 §8.3.2: the first nine bits must not be all zero or all one.
            if (first == 0 && second & 0x80 == 0) || (first == 0xFF && second & 0x80 != 0) {
                throw CryptoError(.keyInvalid, "\(name): INTEGER is not minimally encoded (not DER)")
            }
        }
        guard first & 0x80 == 0 else {
            throw CryptoError(.keyInvalid, "\(name) is negative; it must be a positive INTEGER")
        }
        let magnitude = bytes.drop(while: { $0 == 0 })
        guard !magnitude.isEmpty else {
            throw CryptoError(.keyInvalid, "\(name) is zero; it must be a positive INTEGER")
        }
        return magnitude
    }

    /// A small INTEGER (a version field).
    static func smallInteger(_ node: ASN1Node, name: String) throws -> Int {
        guard node.identifier == .integer else {
            throw CryptoError(.keyInvalid, "\(name): expected an INTEGER, found \(tagName(node.identifier))")
        }
        do {
            return try Int(derEncoded: node)
        } catch {
            throw CryptoError(.keyInvalid, "\(name): not a valid small INTEGER")
        }
    }

    /// AlgorithmIdentifier (RFC 5280 §4.1.1.2) that must be rsaEncryption with
    /// NULL or absent parameters (RFC 3279 §2.3.1 requires NULL; absent is seen in the wild).
    static func checkRSAAlgorithmIdentifier(_ node: ASN1Node) throws {
        let parts = try sequenceChildren(node, what: "AlgorithmIdentifier")
        guard let oidNode = parts.first, oidNode.identifier == .objectIdentifier else {
            throw CryptoError(.keyInvalid, "AlgorithmIdentifier does not start with an OBJECT IDENTIFIER")
        }
        let oid = try ASN1ObjectIdentifier(derEncoded: oidNode)
        guard oid == rsaEncryption else {
            let name = knownAlgorithms[oid].map { " (\($0))" } ?? ""
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
        let root = try parseRoot(der, what: "RSA public key")
        return try withDecodingContext("RSA public key") {
            let children = try sequenceChildren(root, what: "RSA public key")
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
        let root = try parseRoot(der, what: "RSA private key")
        return try withDecodingContext("RSA private key") {
            let children = try sequenceChildren(root, what: "RSA private key")
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
                    "not an RSA private key: second element is \(tagName(children[1].identifier)), expected an AlgorithmIdentifier (PKCS#8) or the modulus (PKCS#1)")
            }
        }
    }

    static func decodeSubjectPublicKeyInfo(_ root: ASN1Node) throws -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        let parts = try sequenceChildren(root, what: "SubjectPublicKeyInfo")
        guard parts.count == 2 else {
            throw CryptoError(.keyInvalid, "SubjectPublicKeyInfo has \(parts.count) elements; expected algorithm and subjectPublicKey")
        }
        try checkRSAAlgorithmIdentifier(parts[0])
        guard parts[1].identifier == .bitString else {
            throw CryptoError(.keyInvalid, "SubjectPublicKeyInfo: subjectPublicKey must be a BIT STRING, found \(tagName(parts[1].identifier))")
        }
        let bits = try ASN1BitString(derEncoded: parts[1])
        guard bits.paddingBits == 0 else {
            throw CryptoError(.keyInvalid, "SubjectPublicKeyInfo: subjectPublicKey BIT STRING has \(bits.paddingBits) unused bits; expected whole octets")
        }
        let inner = try parseRoot(bits.bytes, what: "PKCS#1 RSAPublicKey inside SubjectPublicKeyInfo")
        return try decodePKCS1PublicKey(inner)
    }

    static func decodePKCS1PublicKey(_ root: ASN1Node) throws -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        let parts = try sequenceChildren(root, what: "PKCS#1 RSAPublicKey")
        guard parts.count == 2 else {
            let hint = parts.count >= 3 ? " (this looks like a private key: import it with RSAPrivateKey and use .publicKey)" : ""
            throw CryptoError(.keyInvalid, "PKCS#1 RSAPublicKey has \(parts.count) elements; expected modulus and publicExponent\(hint)")
        }
        return (
            try positiveInteger(parts[0], name: "RSA modulus"),
            try positiveInteger(parts[1], name: "RSA public exponent")
        )
    }

    static func decodePrivateKeyInfo(_ parts: [ASN1Node]) throws -> PrivateParts {
        let version = try smallInteger(parts[0], name: "PKCS#8 version")
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
                throw CryptoError(.keyInvalid, "PKCS#8 PrivateKeyInfo has an unexpected element \(tagName(extra.identifier)) after privateKey")
            }
            if tag == 1 {
                let bits = try ASN1BitString(derEncoded: extra, withIdentifier: extra.identifier)
                let publicKey = try parseRoot(bits.bytes, what: "PKCS#8 publicKey")
                embeddedPublicKey = try decodePKCS1PublicKey(publicKey)
            }
            expectedTag = tag + 1
        }
        let inner = try parseRoot(privateKey, what: "PKCS#1 RSAPrivateKey inside PKCS#8")
        let key = try decodePKCS1PrivateKey(inner)
        if let (n, e) = embeddedPublicKey, !(n.elementsEqual(key.n) && e.elementsEqual(key.e)) {
            throw CryptoError(.keyInvalid, "PKCS#8 OneAsymmetricKey: the publicKey field does not match the private key")
        }
        return key
    }

    static func decodePKCS1PrivateKey(_ root: ASN1Node) throws -> PrivateParts {
        let parts = try sequenceChildren(root, what: "PKCS#1 RSAPrivateKey")
        guard let versionNode = parts.first else {
            throw CryptoError(.keyInvalid, "PKCS#1 RSAPrivateKey is an empty SEQUENCE")
        }
        let version = try smallInteger(versionNode, name: "PKCS#1 RSAPrivateKey version")
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
            SecureBytes(try positiveInteger(parts[index], name: name))
        }
        return PrivateParts(
            n: Array(try positiveInteger(parts[1], name: "RSA modulus")),
            e: Array(try positiveInteger(parts[2], name: "RSA public exponent")),
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

    /// Writes a non-negative big-endian magnitude as a DER INTEGER, straight from
    /// the source buffer (so a secret is not copied into an intermediate array).
    static func appendUnsignedInteger<Bytes: Collection<UInt8>>(_ magnitude: Bytes, into serializer: inout DER.Serializer) {
        serializer.appendPrimitiveNode(identifier: .integer) { out in
            let trimmed = magnitude.drop(while: { $0 == 0 })
            guard let top = trimmed.first else {
                out.append(0)
                return
            }
            if top & 0x80 != 0 { out.append(0) }  // sign octet: the value is positive
            out.append(contentsOf: trimmed)
        }
    }

    /// Overwrites an intermediate buffer that held key material.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            explicit_bzero(base, raw.count)
        }
    }
}
