import CryptoFramework
import Foundation
import IKEProtocol
import SwiftASN1
import X509

/// Whom a side trusts to sign (`--trust PEM`, repeatable): a peer's
/// certificate, a peer's bare public key, or a CA whose signature a peer's
/// CERT payload must carry. X.509 parsing and signature checks are
/// swift-certificates'.
public struct PeerTrust: PeerKeyResolver {
    public enum Anchor: Sendable {
        /// A peer's own certificate: its key (RSA or EC) signs for the IDs it names.
        case certificate(Certificate, IKEPublicKey)
        /// A bare key: signs for whatever ID the peer claims (as strongSwan's `pubkeys`).
        case key(IKEPublicKey)
        /// A CA: a certificate it issued, sent in CERT, signs for the IDs that certificate names.
        case authority(Certificate)
    }

    public var anchors: [Anchor] { storage.anchors }
    /// CERT payloads looked at per message (the rest are ignored).
    static let maxCertificates = 4
    /// The anchors' certificates by their DER, with the key each carries (nil:
    /// none we can use), parsed once here: a peer that sends a trusted
    /// certificate itself, as most do in every exchange, is found by comparing
    /// bytes instead of parsing X.509 and its key again per SA.
    private var knownCertificates: [DERBytes: KnownCertificate] { storage.knownCertificates }
    /// Per anchor, in `anchors`' order: its key (an authority's: nil when it
    /// has none we can use) and its certificate's subject DER (nil for a bare
    /// key, or a subject that did not serialize), serialized once here, not
    /// per ID_DER_ASN1_DN checked against it.
    private var anchorFacts: [(key: IKEPublicKey?, subject: [UInt8]?)] { storage.anchorFacts }
    /// All of the above behind one reference: a responder configuration holds
    /// the trust as an existential, copied with it, and one reference is one
    /// retain per copy where three arrays and a dictionary were four.
    private let storage: Storage

    private final class Storage: Sendable {
        let anchors: [Anchor]
        let knownCertificates: [DERBytes: KnownCertificate]
        let anchorFacts: [(key: IKEPublicKey?, subject: [UInt8]?)]

        init(anchors: [Anchor], knownCertificates: [DERBytes: KnownCertificate], anchorFacts: [(key: IKEPublicKey?, subject: [UInt8]?)]) {
            self.anchors = anchors
            self.knownCertificates = knownCertificates
            self.anchorFacts = anchorFacts
        }
    }

    /// A class, made once per anchor here: a look-up per SA then copies one
    /// reference, not a `Certificate`'s many.
    private final class KnownCertificate: Sendable {
        let certificate: Certificate
        let key: IKEPublicKey?
        let subject: [UInt8]?
        /// Its subjectAltNames, parsed once here rather than from the
        /// extension's DER for every ID checked against it.
        let alternativeNames: SubjectAlternativeNames?

        init(certificate: Certificate, key: IKEPublicKey?, subject: [UInt8]?) {
            self.certificate = certificate
            self.key = key
            self.subject = subject
            self.alternativeNames = (try? certificate.extensions.subjectAlternativeNames).flatMap { $0 }
        }

        /// ``PeerTrust/names(_:_:subject:)`` for this certificate: an address or
        /// name ID against the parsed subjectAltNames (no copy of the certificate).
        func names(_ id: Identification) -> Bool {
            switch id.kind {
            case .fqdn, .userFQDN, .ipv4Address, .ipv6Address: PeerTrust.names(alternativeNames: alternativeNames, id)
            default: PeerTrust.names(certificate, id, subject: subject)
            }
        }
    }

    /// DER bytes as a dictionary key, hashed as one buffer (an `[UInt8]` key
    /// is hashed element by element: a certificate's hundreds of bytes per
    /// lookup); equal when the bytes are.
    private struct DERBytes: Hashable {
        let bytes: [UInt8]
        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    public init(anchors: [Anchor]) {
        var known: [DERBytes: KnownCertificate] = [:]
        var facts: [(key: IKEPublicKey?, subject: [UInt8]?)] = []
        for anchor in anchors {
            let cert: Certificate
            switch anchor {
            case .certificate(let c, _), .authority(let c): cert = c
            case .key(let k):
                facts.append((k, nil))
                continue
            }
            let key = try? Self.publicKey(of: cert)
            let subject = Self.subjectDER(cert)
            if case .certificate(_, let k) = anchor { facts.append((k, subject)) } else { facts.append((key, subject)) }
            var s = DER.Serializer()
            // The first anchor with these bytes decides, as issuedOrTrusted's loop does.
            if (try? s.serialize(cert)) != nil, known[DERBytes(bytes: s.serializedBytes)] == nil {
                known[DERBytes(bytes: s.serializedBytes)] = KnownCertificate(certificate: cert, key: key, subject: subject)
            }
        }
        storage = Storage(anchors: anchors, knownCertificates: known, anchorFacts: facts)
    }

    /// Whether any anchor is a CA (then a responder asks for the peer's certificate).
    public var hasAuthorities: Bool {
        anchors.contains { if case .authority = $0 { return true } else { return false } }
    }

    /// The DER subject names of the trusted CAs (what CERTREQ payloads name).
    public var authorityNames: [[UInt8]] {
        anchors.compactMap { anchor -> [UInt8]? in
            guard case .authority(let ca) = anchor else { return nil }
            var s = DER.Serializer()
            return (try? s.serialize(ca.subject)) != nil ? s.serializedBytes : nil
        }
    }

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads every PEM block of the files: CERTIFICATE (a CA when its basic
    /// constraints say so, else a peer), PUBLIC KEY (RSA or EC) or RSA PUBLIC KEY.
    public static func load(pemFiles: [String]) throws -> PeerTrust {
        var anchors: [Anchor] = []
        for path in pemFiles {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw LoadError(description: "--trust \(path): cannot read the file")
            }
            let documents = try PEMDocument.parseMultiple(pemString: text)
            guard !documents.isEmpty else { throw LoadError(description: "--trust \(path): no PEM block") }
            for doc in documents {
                switch doc.discriminator {
                case "CERTIFICATE":
                    let cert = try trustedCertificate(doc.derBytes, path: path)
                    let isCA = (try? cert.extensions.basicConstraints).flatMap { $0 }.map {
                        if case .isCertificateAuthority = $0 { return true } else { return false }
                    } ?? false
                    anchors.append(isCA ? .authority(cert) : .certificate(cert, try publicKey(of: cert)))
                case "RSA PUBLIC KEY":
                    anchors.append(.key(.rsa(try RSAPublicKey(derRepresentation: doc.derBytes))))
                case "PUBLIC KEY":
                    anchors.append(.key(try publicKey(spki: doc.derBytes, path: path)))
                default:
                    throw LoadError(description: "--trust \(path): a \(doc.discriminator) block is not a certificate or public key")
                }
            }
        }
        return PeerTrust(anchors: anchors)
    }

    /// swift-certificates refuses RSA keys under 2048 bits with a bare
    /// `incorrectParameterSize`; say what the file holds and what to do instead.
    static func trustedCertificate(_ der: [UInt8], path: String) throws -> Certificate {
        do {
            return try Certificate(derEncoded: der)
        } catch {
            if let bits = shortRSAKeyBits(der) {
                throw LoadError(description: "--trust \(path): a certificate with a \(bits)-bit RSA key; X.509 "
                    + "certificates are checked with swift-certificates, which needs RSA keys of 2048 bits or more. "
                    + "Trust the peer's bare public key instead (openssl x509 -in CERT -pubkey -noout > peer.pub; --trust peer.pub)")
            }
            throw LoadError(description: "--trust \(path): not an X.509 certificate (\(error))")
        }
    }

    /// The size of a certificate's RSA key when it is one swift-certificates refuses (under 2048 bits).
    static func shortRSAKeyBits(_ der: [UInt8]) -> Int? {
        guard let fields = try? CertificateFields(derEncoded: der),
              let key = try? RSAPublicKey(derRepresentation: fields.subjectPublicKeyInfo), key.bits < 2048 else { return nil }
        return key.bits
    }

    /// A SubjectPublicKeyInfo's RSA or EC key.
    static func publicKey(spki der: [UInt8], path: String) throws -> IKEPublicKey {
        if let rsa = try? RSAPublicKey(derRepresentation: der) { return .rsa(rsa) }
        do {
            return .ec(try ECPublicKey(derRepresentation: der))
        } catch {
            throw LoadError(description: "--trust \(path): a PUBLIC KEY that is neither RSA nor a usable EC key (\(error))")
        }
    }

    /// A certificate's RSA, EC (P-256/384/521) or Ed25519 key.
    static func publicKey(of cert: Certificate) throws -> IKEPublicKey {
        // swift-certificates gives the key's BIT STRING (for RSA, the RSAPublicKey);
        // the EC curve is in the SubjectPublicKeyInfo's algorithm, so read that whole.
        if let rsa = try? RSAPublicKey(derRepresentation: Array(cert.publicKey.subjectPublicKeyInfoBytes)) { return .rsa(rsa) }
        var serializer = DER.Serializer()
        if (try? serializer.serialize(cert)) != nil, let fields = try? CertificateFields(derEncoded: serializer.serializedBytes),
            let ec = try? ECPublicKey(derRepresentation: fields.subjectPublicKeyInfo), ec.curve.family == .weierstrass || ec.curve == .ed25519
        {
            // Ed25519 signs only in IKEv2 (RFC 8420); IKEv1's methods never fit it.
            return .ec(ec)
        }
        throw ISAKMPError(.invalidCertEncoding, "certificate of \(cert.subject) carries neither an RSA, an ECDSA P-256/384/521 nor an Ed25519 key")
    }

    /// The RSA keys among ``publicKeys(for:certificates:)``.
    public func keys(for id: Identification, certificates: [[UInt8]]) throws -> [RSAPublicKey] {
        try publicKeys(for: id, certificates: certificates).compactMap { if case .rsa(let k) = $0 { return k } else { return nil } }
    }

    public func publicKeys(for id: Identification, certificates: [[UInt8]]) throws -> [IKEPublicKey] {
        var keys: [IKEPublicKey] = []
        var sentButUntrusted: String?
        let anchors = storage.anchors, knownCertificates = storage.knownCertificates, anchorFacts = storage.anchorFacts
        for der in certificates.prefix(Self.maxCertificates) {
            if let known = knownCertificates[DERBytes(bytes: der)], let key = known.key {
                // A trusted certificate itself (issuedOrTrusted holds): only the ID is left to check.
                guard known.names(id) else {
                    throw ISAKMPError(.invalidIDInformation, "certificate of \(known.certificate.subject) does not name the ID \(id)")
                }
                if !keys.contains(key) { keys.append(key) }
                continue
            }
            guard let cert = try? Certificate(derEncoded: der) else {
                if let bits = Self.shortRSAKeyBits(der) {
                    // Not checkable here; a bare key we trust may still speak for the peer.
                    sentButUntrusted = "CERT payload with a \(bits)-bit RSA key (certificates need 2048 bits or more; trust the peer's bare key)"
                    continue
                }
                throw ISAKMPError(.invalidCertEncoding, "CERT payload is not a DER X.509 certificate")
            }
            guard issuedOrTrusted(cert) else {
                sentButUntrusted = "certificate of \(cert.subject) is neither trusted nor issued by a trusted CA"
                continue
            }
            guard Self.names(cert, id) else {
                throw ISAKMPError(.invalidIDInformation, "certificate of \(cert.subject) does not name the ID \(id)")
            }
            let key = try Self.publicKey(of: cert)
            if !keys.contains(key) { keys.append(key) }
        }
        // A key already found (the peer sent this anchor's certificate) is not added again.
        // The anchor itself (a certificate's many references) is read only past that check.
        for i in anchorFacts.indices {
            guard let key = anchorFacts[i].key, !keys.contains(key) else { continue }
            let subject = anchorFacts[i].subject
            switch anchors[i] {
            case .certificate(let cert, _) where Self.names(cert, id, subject: subject): keys.append(key)
            // A self-signed peer certificate is often marked CA:TRUE (openssl req -x509 does).
            case .authority(let cert) where Self.names(cert, id, subject: subject): keys.append(key)
            case .key: keys.append(key)
            default: break
            }
        }
        guard !keys.isEmpty else {
            if let sentButUntrusted { throw ISAKMPError(.authenticationFailed, sentButUntrusted) }
            throw ISAKMPError(.invalidIDInformation, "no trusted certificate or key for the ID \(id)")
        }
        return keys
    }

    /// A trusted certificate itself, or one a trusted CA signed and that is valid now.
    func issuedOrTrusted(_ cert: Certificate) -> Bool {
        for anchor in anchors {
            switch anchor {
            case .certificate(let trusted, _) where trusted == cert: return true
            case .authority(let ca) where ca == cert: return true
            case .authority(let ca) where ca.subject == cert.issuer:
                let now = Date()
                if ca.publicKey.isValidSignature(cert.signature, for: cert),
                    cert.notValidBefore <= now, now <= cert.notValidAfter { return true }
            default: continue
            }
        }
        return false
    }

    /// Two DNs name the same entity when their RDNs hold the same attribute
    /// types and values, whatever string type encodes each value and in any
    /// letter case (RFC 5280 §7.1; strongSwan writes PrintableString where
    /// openssl writes UTF8String).
    static func sameName(_ a: DistinguishedName, _ b: DistinguishedName) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in
            x.count == y.count && zip(x, y).allSatisfy { String(describing: $0).lowercased() == String(describing: $1).lowercased() }
        }
    }

    /// Whether `cert` names `id`: its subject for a DN, a subjectAltName for an FQDN or address.
    /// `cert`'s subject Name as DER (nil when it does not serialize).
    static func subjectDER(_ cert: Certificate) -> [UInt8]? {
        var s = DER.Serializer()
        return (try? s.serialize(cert.subject)) != nil ? s.serializedBytes : nil
    }

    /// Whether `cert` names `id`; `subject`: the certificate's subject DER
    /// when already serialized (an anchor's), else it is serialized here.
    static func names(_ cert: Certificate, _ id: Identification, subject: [UInt8]? = nil) -> Bool {
        switch id.kind {
        case .derASN1DN:
            if let der = subject ?? subjectDER(cert), der == id.data { return true }
            guard let node = try? DER.parse(id.data), let parsed = try? DistinguishedName(derEncoded: node) else { return false }
            return sameName(parsed, cert.subject)
        case .fqdn, .userFQDN, .ipv4Address, .ipv6Address:
            return names(alternativeNames: (try? cert.extensions.subjectAlternativeNames).flatMap({ $0 }), id)
        default:
            return false
        }
    }

    /// Whether a certificate with these subjectAltNames names `id`, an FQDN,
    /// user FQDN or address ID (any other kind: false).
    static func names(alternativeNames: SubjectAlternativeNames?, _ id: Identification) -> Bool {
        switch id.kind {
        case .fqdn, .userFQDN, .ipv4Address, .ipv6Address:
            guard let sans = alternativeNames else { return false }
            let text = String(decoding: id.data, as: UTF8.self).lowercased()
            return sans.contains { name in
                switch (name, id.kind) {
                case (.dnsName(let n), .fqdn): return n.lowercased() == text
                case (.rfc822Name(let n), .userFQDN): return n.lowercased() == text
                case (.ipAddress(let a), .ipv4Address), (.ipAddress(let a), .ipv6Address): return Array(a.bytes) == id.data
                default: return false
                }
            }
        default:
            return false
        }
    }
}
