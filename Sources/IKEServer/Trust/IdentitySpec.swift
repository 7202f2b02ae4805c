import IKEProtocol
import SwiftASN1
import X509

/// The `--id` forms: `fqdn:NAME`, `ipv4:A.B.C.D`, `dn:C=…, O=…, CN=…`
/// (RFC 2407 §4.6.2.1 ID_FQDN, ID_IPV4_ADDR, ID_DER_ASN1_DN).
public enum IdentitySpec {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ text: String) throws -> Identification {
        guard let colon = text.firstIndex(of: ":") else {
            throw Invalid(description: "ID '\(text)' needs a type: fqdn:NAME, ipv4:ADDRESS or dn:\"C=…, O=…, CN=…\"")
        }
        let kind = text[..<colon].lowercased()
        let value = String(text[text.index(after: colon)...]).trimmingSpaces
        switch kind {
        case "fqdn":
            guard !value.isEmpty, value.utf8.count <= 255 else { throw Invalid(description: "fqdn: needs a name of 1...255 bytes") }
            return .fqdn(value)
        case "ipv4":
            guard let a = ipv4(value) else { throw Invalid(description: "ipv4:\(value) is not a dotted IPv4 address") }
            return .ipv4(a[0], a[1], a[2], a[3])
        case "dn":
            return Identification(kind: .derASN1DN, data: try distinguishedNameDER(value))
        default:
            throw Invalid(description: "ID type '\(kind)' is not one of fqdn, ipv4, dn")
        }
    }

    static func ipv4(_ s: String) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }

    /// Attribute keywords of a DN string and their OIDs (RFC 4514 §3, plus E).
    static let attributeTypes: [String: ASN1ObjectIdentifier] = [
        "C": .RDNAttributeType.countryName, "ST": .RDNAttributeType.stateOrProvinceName,
        "L": .RDNAttributeType.localityName, "O": .RDNAttributeType.organizationName,
        "OU": .RDNAttributeType.organizationalUnitName, "CN": .RDNAttributeType.commonName,
        "E": .RDNAttributeType.emailAddress,
    ]

    /// "C=CH, O=strongSwan, CN=peer" → the DER of the Name, one attribute per
    /// RDN in the order written. Values are PrintableString when they can be
    /// (as strongSwan encodes an ID it parses), else UTF8String. Commas inside
    /// values are not supported.
    public static func distinguishedNameDER(_ text: String) throws -> [UInt8] {
        var rdns: [RelativeDistinguishedName] = []
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
            guard pair.count == 2, !pair[1].isEmpty, let oid = attributeTypes[pair[0].uppercased()] else {
                throw Invalid(description: "DN part '\(part)' is not KEY=VALUE with KEY one of \(attributeTypes.keys.sorted().joined(separator: ", "))")
            }
            let attribute = (try? RelativeDistinguishedName.Attribute(type: oid, printableString: pair[1]))
                ?? RelativeDistinguishedName.Attribute(type: oid, utf8String: pair[1])
            rdns.append(RelativeDistinguishedName(attribute))
        }
        guard !rdns.isEmpty else { throw Invalid(description: "dn: needs at least one KEY=VALUE") }
        var serializer = DER.Serializer()
        try serializer.serialize(DistinguishedName(rdns))
        return serializer.serializedBytes
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\"" { s = s.dropFirst() }
        while s.last == " " || s.last == "\"" { s = s.dropLast() }
        return String(s)
    }
}
