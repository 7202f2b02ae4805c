import SwiftASN1

// PKCS#11's attribute forms of EC values, shared by the framework's module
// (which reads and writes them) and the PKCS#11 provider (which writes them
// into a token).

extension ECCurve {
    /// CKA_EC_PARAMS as written: the DER of the curve's OID (PKCS#11 v2.40
    /// §2.3.3 ECParameters' namedCurve; v3.0 §2.3.5–6 for the 25519 curves,
    /// RFC 8410's id-Ed25519 and id-X25519).
    public var pkcs11Parameters: [UInt8] {
        var serializer = DER.Serializer()
        try! serializer.serialize(ECKeyDER.oid(of: self))  // a well-formed OID always serializes
        return serializer.serializedBytes
    }

    /// The curve a CKA_EC_PARAMS value names, or nil: the DER of one of the
    /// curves' OIDs (or GnuPG's older OIDs for the 25519 curves, which OpenSC
    /// knows), or for the 25519 curves the PrintableString name PKCS#11 v3.0
    /// §2.3.5 also allows ("edwards25519", "curve25519"; "Ed25519", "X25519").
    public init?(pkcs11Parameters der: [UInt8]) {
        if der == Self.openSC023Curve25519 {
            self = .x25519
            return
        }
        guard let node = try? DER.parse(der) else { return nil }
        switch node.identifier {
        case .objectIdentifier:
            guard let oid = try? ASN1ObjectIdentifier(derEncoded: node) else { return nil }
            if let curve = ECKeyDER.curveOIDs.first(where: { $0.oid == oid })?.curve {
                self = curve
            } else if let curve = Self.gnuPGOIDs[oid] {
                self = curve
            } else {
                return nil
            }
        case .printableString:
            guard let name = try? ASN1PrintableString(derEncoded: node),
                let curve = ECCurve(name: String(decoding: name.bytes, as: UTF8.self)), curve.family != .weierstrass
            else { return nil }
            self = curve
        default:
            return nil
        }
    }

    /// What OpenSC 0.23's pkcs11-tool sends for `EC:curve25519`: a PrintableString
    /// that declares 11 bytes for the 10 of "curve25519" (OpenSC issue #2952;
    /// 0.24 sends 13 0A). Accepted as that one value, so the tool works.
    private static let openSC023Curve25519: [UInt8] = [0x13, 0x0b] + Array("curve25519".utf8)

    /// GnuPG's OIDs for the 25519 curves, which OpenSC's pkcs11-tool sends for
    /// `EC:edwards25519` and `EC:curve25519` (RFC 4880bis §9.2).
    private static let gnuPGOIDs: [ASN1ObjectIdentifier: ECCurve] = [
        [1, 3, 6, 1, 4, 1, 11591, 15, 1]: .ed25519,
        [1, 3, 6, 1, 4, 1, 3029, 1, 5, 1]: .x25519,
    ]

    /// CKA_EC_POINT as written: the point (``ECPublicKey/point``) in a DER
    /// OCTET STRING (PKCS#11 v2.40 §2.3.3), as OpenSC, OpenSSL's
    /// pkcs11-provider and SoftHSM2 expect.
    public static func pkcs11PointAttribute(_ point: [UInt8]) -> [UInt8] {
        var serializer = DER.Serializer()
        try! serializer.serialize(ASN1OctetString(contentBytes: point[...]))  // an OCTET STRING always serializes
        return serializer.serializedBytes
    }

    /// The point in a CKA_EC_POINT value or an ECDH pPublicData on this
    /// curve: a DER OCTET STRING around it, or the raw point (SoftHSM2
    /// accepts both). The two cannot be confused: a raw point is one of the
    /// curve's point lengths, and the OCTET STRING's content must be one too.
    /// Nil when it is neither; the point itself is checked by ``ECPublicKey``.
    public func pkcs11Point(_ value: [UInt8]) -> [UInt8]? {
        let lengths = family == .weierstrass ? [1 + 2 * fieldByteCount, 1 + fieldByteCount] : [publicKeyByteCount]
        if let node = try? DER.parse(value), node.identifier == .octetString,
            let octets = try? ASN1OctetString(derEncoded: node), lengths.contains(octets.bytes.count)
        {
            return Array(octets.bytes)
        }
        return lengths.contains(value.count) ? value : nil
    }
}
