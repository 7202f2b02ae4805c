import SwiftASN1

// DER import and export of EC keys.
//
// Structures (all DER):
//   SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
//                                       subjectPublicKey BIT STRING }               RFC 5280 §4.1.2.7
//     prime curves: algorithm id-ecPublicKey { 1 2 840 10045 2 1 } with
//       ECParameters ::= CHOICE { namedCurve OBJECT IDENTIFIER, … }, only namedCurve
//       allowed; subjectPublicKey the ECPoint, uncompressed or compressed     RFC 5480 §2.1.1, §2.2
//     Ed25519 / X25519: algorithm id-Ed25519 { 1 3 101 112 } / id-X25519 { 1 3 101 110 },
//       parameters absent; subjectPublicKey the 32 bytes                       RFC 8410 §3, §4
//   ECPrivateKey ::= SEQUENCE { version INTEGER { ecPrivkeyVer1(1) },
//                               privateKey OCTET STRING,
//                               parameters [0] ECParameters OPTIONAL,
//                               publicKey  [1] BIT STRING OPTIONAL }              RFC 5915 §3 (SEC 1 §C.4)
//   PrivateKeyInfo / OneAsymmetricKey ::= SEQUENCE { version INTEGER (0 | 1),
//                               privateKeyAlgorithm AlgorithmIdentifier,
//                               privateKey OCTET STRING,
//                               attributes [0] IMPLICIT Attributes OPTIONAL,
//                               publicKey  [1] IMPLICIT BIT STRING OPTIONAL }     RFC 5208 §5, RFC 5958 §2
//     prime curves: privateKey holds an ECPrivateKey                              RFC 5915 §1
//     Ed25519 / X25519: privateKey holds CurvePrivateKey ::= OCTET STRING (32)    RFC 8410 §7

extension ECPublicKey {
    /// Imports a public key from a DER SubjectPublicKeyInfo (RFC 5480 for the
    /// prime curves, RFC 8410 for Ed25519 and X25519). The point is validated
    /// as ``init(curve:point:)`` validates it; a compressed point is accepted.
    ///
    /// Throws `CryptoError(.keyInvalid, …)` saying what was found otherwise:
    /// another algorithm, an unsupported or explicit curve, a malformed encoding.
    public init(derRepresentation: some Collection<UInt8>) throws {
        let (curve, point) = try ECKeyDER.decodeSubjectPublicKeyInfo(Array(derRepresentation)[...])
        try self.init(curve: curve, point: point)
    }

    /// The key as a DER SubjectPublicKeyInfo with the uncompressed point, as
    /// `openssl pkey -pubout -outform DER` writes it.
    public var derRepresentation: [UInt8] {
        var serializer = DER.Serializer()
        // Serializing known-good values and fixed structures cannot fail.
        try! serializer.appendConstructedNode(identifier: .sequence) { spki in
            try ECKeyDER.serializeAlgorithmIdentifier(curve, into: &spki)
            try spki.serialize(ASN1BitString(bytes: point[...]))
        }
        return serializer.serializedBytes
    }
}

extension ECPrivateKey {
    /// Imports a private key from DER: a PKCS#8 PrivateKeyInfo or OneAsymmetricKey
    /// (version 0 or 1; RFC 5915 inside for the prime curves, RFC 8410 for
    /// Ed25519 and X25519) or a bare SEC 1 ECPrivateKey (RFC 5915), which must
    /// name its curve.
    ///
    /// The scalar is checked (1...n−1 for the prime curves), an embedded public
    /// key is validated and kept, and curves named twice must agree. Secret
    /// bytes are copied from the input straight into `SecureBytes`; the
    /// caller's own buffer is the caller's to wipe.
    public init(derRepresentation: some Collection<UInt8>) throws {
        var der = Array(derRepresentation)
        defer { KeyDER.wipe(&der) }
        // Decoded in a helper so that every ASN1Node (which shares `der`'s storage)
        // is gone before the wipe.
        let parts = try ECKeyDER.decodePrivateKey(der[...])
        let publicKey = try parts.publicPoint.map { try ECPublicKey(curve: parts.curve, point: $0) }
        try self.init(curve: parts.curve, scalar: parts.scalar, publicKey: publicKey)
    }

    /// The key as a DER PKCS#8 PrivateKeyInfo (RFC 5208, version 0), as
    /// `openssl pkcs8 -topk8 -nocrypt -outform DER` writes it: for the prime
    /// curves an ECPrivateKey inside without parameters and with the public key
    /// when known; for Ed25519 and X25519 the 32 bytes alone (RFC 8410 §7).
    ///
    /// - Important: the result contains the private key in the clear; wipe it when done.
    public var derRepresentation: [UInt8] {
        var inner: [UInt8]
        if curve.family == .weierstrass {
            inner = ECKeyDER.sec1(self, withParameters: false)
        } else {
            var serializer = DER.Serializer()
            scalar.withUnsafeBytes { secret in
                serializer.appendPrimitiveNode(identifier: .octetString) { $0.append(contentsOf: secret) }
            }
            inner = serializer.serializedBytes
        }
        defer { KeyDER.wipe(&inner) }
        var serializer = DER.Serializer()
        try! serializer.appendConstructedNode(identifier: .sequence) { info in
            try info.serialize(Int(0))  // version v1(0): RFC 5208 §5
            try ECKeyDER.serializeAlgorithmIdentifier(curve, into: &info)
            info.appendPrimitiveNode(identifier: .octetString) { $0.append(contentsOf: inner) }
        }
        return serializer.serializedBytes
    }

    /// The key as a DER SEC 1 ECPrivateKey (RFC 5915) naming its curve, with the
    /// public key when known, as `openssl ec -outform DER` writes it; nil for
    /// Ed25519 and X25519, which SEC 1 does not cover (use PKCS#8).
    ///
    /// - Important: the result contains the private key in the clear; wipe it when done.
    public var sec1DERRepresentation: [UInt8]? {
        guard curve.family == .weierstrass else { return nil }
        return ECKeyDER.sec1(self, withParameters: true)
    }
}

/// The DER codec behind the EC key types' initializers and properties.
enum ECKeyDER {
    /// id-ecPublicKey: RFC 5480 §2.1.1.
    static let idECPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]

    /// Each curve's OID (a named curve, or the algorithm for the 25519 curves).
    static let curveOIDs: [(oid: ASN1ObjectIdentifier, curve: ECCurve)] = ECCurve.allCases.map {
        (try! ASN1ObjectIdentifier(dotRepresentation: $0.oid), $0)  // the table's OIDs are well-formed
    }

    static func oid(of curve: ECCurve) -> ASN1ObjectIdentifier {
        curveOIDs.first { $0.curve == curve }!.oid
    }

    /// Named curves a key may use that the framework does not serve, so the error can say which it is.
    static let unsupportedCurves: [ASN1ObjectIdentifier: String] = [
        [1, 3, 132, 0, 10]: "secp256k1",  // SEC 2 v2 §2.4.1
        [1, 3, 132, 0, 33]: "secp224r1 (P-224)",  // SEC 2 v2 §2.3.2
        [1, 2, 840, 10045, 3, 1, 1]: "prime192v1 (P-192)",  // RFC 5480 §2.1.1.1
        [1, 3, 36, 3, 3, 2, 8, 1, 1, 7]: "brainpoolP256r1",  // RFC 5639 §4.1
        [1, 3, 36, 3, 3, 2, 8, 1, 1, 11]: "brainpoolP384r1",
        [1, 3, 36, 3, 3, 2, 8, 1, 1, 13]: "brainpoolP512r1",
    ]

    static let supportedCurveNames = ECCurve.allCases.map(\.name).joined(separator: ", ")

    struct PrivateParts {
        var curve: ECCurve
        var scalar: SecureBytes
        var publicPoint: [UInt8]?
    }

    // MARK: Parsing

    /// The curve a key's AlgorithmIdentifier names.
    static func curve(ofAlgorithm node: ASN1Node) throws -> ECCurve {
        let parts = try KeyDER.sequenceChildren(node, what: "AlgorithmIdentifier")
        guard let oidNode = parts.first, oidNode.identifier == .objectIdentifier else {
            throw CryptoError(.keyInvalid, "AlgorithmIdentifier does not start with an OBJECT IDENTIFIER")
        }
        let algorithm = try ASN1ObjectIdentifier(derEncoded: oidNode)
        if algorithm == idECPublicKey {
            guard parts.count == 2 else {
                throw CryptoError(.keyInvalid, "id-ecPublicKey AlgorithmIdentifier must carry the curve as its parameters (RFC 5480 §2.1.1)")
            }
            return try namedCurve(parts[1])
        }
        if let curve = curveOIDs.first(where: { $0.oid == algorithm && $0.curve.family != .weierstrass })?.curve {
            guard parts.count == 1 else {
                throw CryptoError(.keyInvalid, "\(curve) AlgorithmIdentifier must have absent parameters (RFC 8410 §3)")
            }
            return curve
        }
        let name = KeyDER.knownAlgorithms[algorithm].map { " (\($0))" } ?? ""
        throw CryptoError(.keyInvalid,
            "not an EC key of a supported curve: algorithm OID \(algorithm)\(name); expected id-ecPublicKey \(idECPublicKey), id-Ed25519 or id-X25519")
    }

    /// ECParameters (RFC 5480 §2.1.1): the namedCurve choice, one of the framework's curves.
    static func namedCurve(_ node: ASN1Node) throws -> ECCurve {
        switch node.identifier {
        case .objectIdentifier:
            let oid = try ASN1ObjectIdentifier(derEncoded: node)
            if let curve = curveOIDs.first(where: { $0.oid == oid && $0.curve.family == .weierstrass })?.curve { return curve }
            let name = unsupportedCurves[oid].map { " (\($0))" } ?? ""
            throw CryptoError(.keyInvalid, "EC curve \(oid)\(name) is not supported; supported curves: \(supportedCurveNames)")
        case .null:
            throw CryptoError(.keyInvalid, "EC parameters are implicitCurve (NULL); the curve must be named (RFC 5480 §2.1.1)")
        case .sequence:
            throw CryptoError(.keyInvalid,
                "EC parameters spell out the curve (specifiedCurve); only named curves are accepted (RFC 5480 §2.1.1: MUST NOT use specifiedCurve)")
        default:
            throw CryptoError(.keyInvalid, "EC parameters: expected a named-curve OBJECT IDENTIFIER, found \(KeyDER.tagName(node.identifier))")
        }
    }

    /// A BIT STRING of whole octets (a point or a 25519 key).
    static func octets(ofBitString node: ASN1Node, identifier: ASN1Identifier = .bitString, what: String) throws -> ArraySlice<UInt8> {
        guard node.identifier == identifier else {
            throw CryptoError(.keyInvalid, "\(what) must be a BIT STRING, found \(KeyDER.tagName(node.identifier))")
        }
        let bits = try ASN1BitString(derEncoded: node, withIdentifier: identifier)
        guard bits.paddingBits == 0 else {
            throw CryptoError(.keyInvalid, "\(what) BIT STRING has \(bits.paddingBits) unused bits; expected whole octets")
        }
        return bits.bytes
    }

    static func decodeSubjectPublicKeyInfo(_ der: ArraySlice<UInt8>) throws -> (ECCurve, [UInt8]) {
        let root = try KeyDER.parseRoot(der, what: "EC public key")
        return try KeyDER.withDecodingContext("EC public key") {
            let parts = try KeyDER.sequenceChildren(root, what: "SubjectPublicKeyInfo")
            guard parts.count == 2, parts[0].identifier == .sequence else {
                throw CryptoError(.keyInvalid, "not a SubjectPublicKeyInfo: expected SEQUENCE { algorithm, subjectPublicKey } (\(parts.count) elements found)")
            }
            let curve = try curve(ofAlgorithm: parts[0])
            let point = try octets(ofBitString: parts[1], what: "SubjectPublicKeyInfo: subjectPublicKey")
            return (curve, Array(point))
        }
    }

    /// PKCS#8 or SEC 1, told apart by the second element: an AlgorithmIdentifier
    /// SEQUENCE (PKCS#8) or the privateKey OCTET STRING (SEC 1).
    static func decodePrivateKey(_ der: ArraySlice<UInt8>) throws -> PrivateParts {
        let root = try KeyDER.parseRoot(der, what: "EC private key")
        return try KeyDER.withDecodingContext("EC private key") {
            let children = try KeyDER.sequenceChildren(root, what: "EC private key")
            guard children.count >= 2, children[0].identifier == .integer else {
                throw CryptoError(.keyInvalid, "not an EC private key: expected a PKCS#8 PrivateKeyInfo or a SEC 1 ECPrivateKey SEQUENCE")
            }
            switch children[1].identifier {
            case .sequence: return try decodePrivateKeyInfo(children)
            case .octetString: return try decodeSEC1(children, outerCurve: nil)
            default:
                throw CryptoError(.keyInvalid,
                    "not an EC private key: second element is \(KeyDER.tagName(children[1].identifier)), expected an AlgorithmIdentifier (PKCS#8) or the privateKey OCTET STRING (SEC 1)")
            }
        }
    }

    static func decodePrivateKeyInfo(_ parts: [ASN1Node]) throws -> PrivateParts {
        let version = try KeyDER.smallInteger(parts[0], name: "PKCS#8 version")
        guard version == 0 || version == 1 else {
            throw CryptoError(.keyInvalid, "PKCS#8 PrivateKeyInfo has version \(version); only 0 and 1 are defined (RFC 5208, RFC 5958)")
        }
        let curve = try curve(ofAlgorithm: parts[1])
        guard parts.count >= 3, parts[2].identifier == .octetString, case .primitive(let privateKey) = parts[2].content else {
            throw CryptoError(.keyInvalid, "PKCS#8 PrivateKeyInfo: privateKey must be an OCTET STRING")
        }
        // Optional trailing fields: attributes [0], and in version 1 publicKey [1] (RFC 5958 §2).
        var expectedTag: UInt = 0
        var embeddedPublicKey: [UInt8]? = nil
        for extra in parts.dropFirst(3) {
            let tag = extra.identifier.tagNumber
            guard extra.identifier.tagClass == .contextSpecific, tag >= expectedTag, tag <= 1, tag == 0 || version == 1 else {
                throw CryptoError(.keyInvalid, "PKCS#8 PrivateKeyInfo has an unexpected element \(KeyDER.tagName(extra.identifier)) after privateKey")
            }
            if tag == 1 {
                embeddedPublicKey = Array(try octets(ofBitString: extra, identifier: extra.identifier, what: "PKCS#8 publicKey"))
            }
            expectedTag = tag + 1
        }
        var key: PrivateParts
        if curve.family == .weierstrass {
            let inner = try KeyDER.parseRoot(privateKey, what: "SEC 1 ECPrivateKey inside PKCS#8")
            key = try decodeSEC1(try KeyDER.sequenceChildren(inner, what: "SEC 1 ECPrivateKey"), outerCurve: curve)
        } else {
            let inner = try KeyDER.parseRoot(privateKey, what: "\(curve) CurvePrivateKey inside PKCS#8")
            guard inner.identifier == .octetString, case .primitive(let secret) = inner.content else {
                throw CryptoError(.keyInvalid, "\(curve) PKCS#8 privateKey must hold an OCTET STRING (CurvePrivateKey, RFC 8410 §7)")
            }
            key = PrivateParts(curve: curve, scalar: SecureBytes(secret), publicPoint: nil)
        }
        if let embeddedPublicKey {
            if let inner = key.publicPoint, inner != embeddedPublicKey {
                throw CryptoError(.keyInvalid, "PKCS#8 OneAsymmetricKey: the publicKey field differs from the one in the ECPrivateKey")
            }
            key.publicPoint = embeddedPublicKey
        }
        return key
    }

    /// A SEC 1 ECPrivateKey's elements; `outerCurve` is the curve PKCS#8 named around it, if any.
    static func decodeSEC1(_ parts: [ASN1Node], outerCurve: ECCurve?) throws -> PrivateParts {
        guard let versionNode = parts.first else { throw CryptoError(.keyInvalid, "SEC 1 ECPrivateKey is an empty SEQUENCE") }
        let version = try KeyDER.smallInteger(versionNode, name: "SEC 1 ECPrivateKey version")
        guard version == 1 else {
            throw CryptoError(.keyInvalid, "SEC 1 ECPrivateKey has version \(version); expected 1 (ecPrivkeyVer1, RFC 5915 §3)")
        }
        guard parts.count >= 2, parts[1].identifier == .octetString, case .primitive(let secret) = parts[1].content else {
            throw CryptoError(.keyInvalid, "SEC 1 ECPrivateKey: privateKey must be an OCTET STRING")
        }
        var named: ECCurve? = nil
        var publicPoint: [UInt8]? = nil
        var expectedTag: UInt = 0
        for extra in parts.dropFirst(2) {
            let tag = extra.identifier.tagNumber
            guard extra.identifier.tagClass == .contextSpecific, tag >= expectedTag, tag <= 1,
                case .constructed(let wrapped) = extra.content, let inner = Array(wrapped).first, Array(wrapped).count == 1
            else {
                throw CryptoError(.keyInvalid, "SEC 1 ECPrivateKey has an unexpected element \(KeyDER.tagName(extra.identifier)) after privateKey")
            }
            if tag == 0 {
                named = try namedCurve(inner)
            } else {
                publicPoint = Array(try octets(ofBitString: inner, what: "SEC 1 ECPrivateKey publicKey"))
            }
            expectedTag = tag + 1
        }
        if let named, let outerCurve, named != outerCurve {
            throw CryptoError(.keyInvalid, "SEC 1 ECPrivateKey names \(named) inside a PKCS#8 key for \(outerCurve)")
        }
        guard let curve = outerCurve ?? named else {
            throw CryptoError(.keyInvalid, "SEC 1 ECPrivateKey does not name its curve (parameters [0] absent): import it as PKCS#8, or with ECPrivateKey(curve:scalar:)")
        }
        return PrivateParts(curve: curve, scalar: SecureBytes(secret), publicPoint: publicPoint)
    }

    // MARK: Serializing

    static func serializeAlgorithmIdentifier(_ curve: ECCurve, into serializer: inout DER.Serializer) throws {
        try serializer.appendConstructedNode(identifier: .sequence) { algorithm in
            if curve.family == .weierstrass {
                try algorithm.serialize(idECPublicKey)
            }
            try algorithm.serialize(oid(of: curve))
        }
    }

    /// ECPrivateKey (RFC 5915): version 1, the scalar, the curve if asked, the public key if known.
    static func sec1(_ key: ECPrivateKey, withParameters: Bool) -> [UInt8] {
        var serializer = DER.Serializer()
        try! serializer.appendConstructedNode(identifier: .sequence) { seq in
            try seq.serialize(Int(1))  // ecPrivkeyVer1
            key.scalar.withUnsafeBytes { secret in
                seq.appendPrimitiveNode(identifier: .octetString) { $0.append(contentsOf: secret) }
            }
            if withParameters {
                try seq.serialize(oid(of: key.curve), explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
            }
            if let publicKey = key.publicKey {
                try seq.serialize(ASN1BitString(bytes: publicKey.point[...]), explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
            }
        }
        return serializer.serializedBytes
    }
}
