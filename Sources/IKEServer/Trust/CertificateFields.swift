import IKEProtocol
import SwiftASN1

/// The subject and public key of a DER X.509 certificate (RFC 5280 §4.1),
/// read with SwiftASN1 alone. swift-certificates refuses any certificate
/// whose RSA key is shorter than 2048 bits, and the 2007 configuration's are
/// RSA-1024: our own `--cert` needs only these two fields, and the key is
/// checked by the framework's RSAPublicKey, which takes any size it supports.
struct CertificateFields {
    /// The DER of the subject Name (what an ID_DER_ASN1_DN carries).
    let subject: [UInt8]
    /// The DER SubjectPublicKeyInfo.
    let subjectPublicKeyInfo: [UInt8]

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    init(derEncoded der: [UInt8]) throws {
        let root = try DER.parse(der)
        guard case .constructed(let certificate) = root.content, root.identifier == .sequence,
              let tbs = certificate.first(where: { _ in true }), case .constructed(let fields) = tbs.content,
              tbs.identifier == .sequence
        else { throw Malformed(description: "not an X.509 certificate (no TBSCertificate SEQUENCE)") }
        // version [0] EXPLICIT (optional), serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo.
        var rest = Array(fields)
        if let first = rest.first, first.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
            rest.removeFirst()
        }
        guard rest.count >= 6, rest[4].identifier == .sequence, rest[5].identifier == .sequence else {
            throw Malformed(description: "not an X.509 certificate (TBSCertificate lacks its subject or key)")
        }
        subject = Array(rest[4].encodedBytes)
        subjectPublicKeyInfo = Array(rest[5].encodedBytes)
    }
}
