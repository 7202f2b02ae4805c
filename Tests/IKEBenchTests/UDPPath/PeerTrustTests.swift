import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKEServer
import IKETestKit
import Testing
import TestSupport

/// `--id` forms and `--trust` anchors: a peer's certificate, a bare key, a CA.
@Suite("IDs and trust")
struct PeerTrustTests {
    static let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ikebench-trust-\(getpid())")
    static let ca = try! TestCertificate.make(subject: "/C=CH/O=ikebench CA/CN=Test CA", dnsName: "ca.trust.example", in: dir)
    static let otherCA = try! TestCertificate.make(subject: "/C=CH/O=elsewhere/CN=Other CA", dnsName: "other-ca.trust.example", in: dir)
    static let issued = try! TestCertificate.make(subject: "/C=CH/O=ikebench/CN=client.trust.example",
                                                  dnsName: "client.trust.example", issuedBy: ca, in: dir)
    // Its own folder: a certificate's files are named by its DNS name, which
    // `issued` shares, and whichever was made second overwrote the other's.
    static let foreign = try! TestCertificate.make(subject: "/C=CH/O=ikebench/CN=client.trust.example",
                                                   dnsName: "client.trust.example", issuedBy: otherCA,
                                                   in: dir.appendingPathComponent("foreign"))

    static func der(_ cert: TestCertificate) throws -> [UInt8] {
        let body = cert.certificatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return [UInt8](try #require(Data(base64Encoded: body)))
    }

    @Test func idForms() throws {
        #expect(try IdentitySpec.parse("fqdn:vpn.example") == .fqdn("vpn.example"))
        #expect(try IdentitySpec.parse("ipv4:192.0.2.7") == .ipv4(192, 0, 2, 7))
        let dn = try IdentitySpec.parse("dn:\"C=CH, O=ikebench, CN=client.trust.example\"")
        #expect(dn.kind == .derASN1DN)
        #expect(dn.data.first == 0x30)
        for bad in ["vpn.example", "ipv4:300.1.1.1", "ipv4:1.2.3", "dn:X=1", "dn:", "mail:a@b", "fqdn:"] {
            #expect(throws: (any Error).self, "\(bad)") { try IdentitySpec.parse(bad) }
        }
    }

    @Test func certificateIssuedByTrustedCA() throws {
        let trust = try PeerTrust.load(pemFiles: [Self.ca.certificatePath])
        #expect(trust.hasAuthorities)
        let id = Identification.fqdn("client.trust.example")
        let keys = try trust.keys(for: id, certificates: [try Self.der(Self.issued)])
        let expected = try RSAPrivateKey(pemRepresentation: Self.issued.keyPEM).publicKey
        #expect(keys.map(\.modulus) == [expected.modulus])
        // The same subject signed by a CA nobody trusts.
        let foreign = try Self.der(Self.foreign), issued = try Self.der(Self.issued)
        let untrusted = #expect(throws: ISAKMPError.self) { _ = try trust.keys(for: id, certificates: [foreign]) }
        #expect(untrusted?.code == .authenticationFailed)
        // A trusted certificate that does not name the claimed ID.
        let misnamed = #expect(throws: ISAKMPError.self) { _ = try trust.keys(for: .fqdn("someone.else"), certificates: [issued]) }
        #expect(misnamed?.code == .invalidIDInformation)
        // Without a CERT payload a CA alone speaks for nobody.
        let bare = #expect(throws: ISAKMPError.self) { _ = try trust.keys(for: id, certificates: []) }
        #expect(bare?.code == .invalidIDInformation)
        // Garbage in CERT.
        let garbage = #expect(throws: ISAKMPError.self) { _ = try trust.keys(for: id, certificates: [[0x30, 0x03, 1, 2, 3]]) }
        #expect(garbage?.code == .invalidCertEncoding)
    }

    /// The DER index: a CERT payload that is a trusted certificate itself is
    /// found by its bytes (parsed once, at load), yet decides as the parse did.
    @Test("a trusted certificate sent in CERT gives its key once and its ID is still checked; a changed byte is no longer it")
    func trustedCertificateSentItself() throws {
        let trust = try PeerTrust.load(pemFiles: [Self.issued.certificatePath])
        let issued = try Self.der(Self.issued)
        let expected = try RSAPrivateKey(pemRepresentation: Self.issued.keyPEM).publicKey
        let id = Identification.fqdn("client.trust.example")
        // Found in CERT and again as the anchor naming the ID: listed once.
        #expect(try trust.keys(for: id, certificates: [issued]).map(\.modulus) == [expected.modulus])
        #expect(try trust.keys(for: id, certificates: [issued, issued]).map(\.modulus) == [expected.modulus])
        let misnamed = #expect(throws: ISAKMPError.self) { _ = try trust.keys(for: .fqdn("someone.else"), certificates: [issued]) }
        #expect(misnamed?.code == .invalidIDInformation)
        // One byte of the signature changed: parsed, not trusted (so not the ID error above).
        var tampered = issued
        tampered[tampered.count - 1] ^= 1
        let untrusted = #expect(throws: ISAKMPError.self) { _ = try trust.keys(for: .fqdn("someone.else"), certificates: [tampered]) }
        #expect(untrusted?.code == .authenticationFailed)
        // A trusted CA's own certificate sent by a peer it names: the CA's key, once.
        let caTrust = try PeerTrust.load(pemFiles: [Self.ca.certificatePath])
        let caKey = try RSAPrivateKey(pemRepresentation: Self.ca.keyPEM).publicKey
        #expect(try caTrust.keys(for: .fqdn("ca.trust.example"), certificates: [try Self.der(Self.ca)]).map(\.modulus) == [caKey.modulus])
    }

    @Test func peerCertificateByDNAndFQDN() throws {
        let trust = try PeerTrust.load(pemFiles: [Self.issued.certificatePath])
        let dn = try IdentitySpec.parse("dn:C=CH, O=ikebench, CN=client.trust.example")
        #expect(try trust.keys(for: dn, certificates: []).count == 1)
        #expect(try trust.keys(for: .fqdn("CLIENT.trust.example"), certificates: []).count == 1)
        #expect(throws: ISAKMPError.self) { _ = try trust.keys(for: .ipv4(192, 0, 2, 1), certificates: []) }
    }

    @Test func bareKey() throws {
        let key = try RSAPrivateKey(pemRepresentation: Self.issued.keyPEM).publicKey
        let path = Self.dir.appendingPathComponent("bare.pub").path
        try key.pemRepresentation.write(toFile: path, atomically: true, encoding: .utf8)
        let trust = try PeerTrust.load(pemFiles: [path])
        #expect(try trust.keys(for: .ipv4(10, 0, 0, 1), certificates: []).map(\.modulus) == [key.modulus])
    }

    /// `--trust` files of bare public keys, in this order.
    static func trustFiles(_ keys: [RSAPublicKey], name: String) throws -> PeerTrust {
        let paths = try keys.enumerated().map { n, key in
            let path = Self.dir.appendingPathComponent("\(name)-\(n).pub").path
            try FileManager.default.createDirectory(at: Self.dir, withIntermediateDirectories: true)
            try key.pemRepresentation.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        return try PeerTrust.load(pemFiles: paths)
    }

    /// A 2048-bit key trusted before the peer's 3072-bit one: its SIG has the
    /// other length, which must not end the search.
    @Test("a peer signing with the second of two trusted keys of different sizes authenticates", .timeLimit(.minutes(3)))
    func keysOfDifferentSizes() async throws {
        let big = try TestCertificate.make(subject: "/CN=peer3072", dnsName: "peer3072.trust.example", bits: 3072, in: Self.dir)
        let peerKey = try RSAPrivateKey(pemRepresentation: big.keyPEM)
        let other = try RSAPrivateKey(pemRepresentation: Self.issued.keyPEM).publicKey
        #expect(other.bits == 2048 && peerKey.publicKey.bits == 3072)
        let d = ServiceDriver(peers: try Self.trustFiles([other, peerKey.publicKey], name: "sizes"))
        _ = try await ResponderServiceTests.negotiate(d, d.initiator(key: peerKey))
        #expect(d.service.counters[.established] == 1)
        #expect(d.service.counters[.failed] == 0)
    }

    /// Every trusted key is tried (none dropped after the first four); a key
    /// that verifies nothing still gets AUTHENTICATION-FAILED.
    @Test("the fifth of five trusted keys authenticates its peer", .timeLimit(.minutes(3)))
    func fifthTrustedKey() async throws {
        let fw = IKETestSupport.initiatorFramework
        let decoys = try (0..<4).map { _ in try fw.generateRSAKeyPair(bits: 1024).publicKey }
        let peer = IKETestSupport.identities.initiator
        let d = ServiceDriver(peers: try Self.trustFiles(decoys + [peer.publicKey], name: "five"))
        _ = try await ResponderServiceTests.negotiate(d, d.initiator(key: peer))
        #expect(d.service.counters[.established] == 1)

        let refused = ServiceDriver(peers: try Self.trustFiles(decoys, name: "decoys"))
        await #expect(throws: (any Error).self) {
            _ = try await ResponderServiceTests.negotiate(refused, refused.initiator(key: peer))
        }
        #expect(refused.service.counters[.established] == 0)
        #expect(refused.service.counters[.failed] == 1)
    }

    /// The 2007 configuration's RSA-1024 certificate as our own `--cert`:
    /// swift-certificates refuses keys under 2048 bits, serve must not.
    @Test func rsa1024OwnCertificate() throws {
        let old = try TestCertificate.make(subject: "/C=US/O=Sun/CN=t2000.ikebench.example", dnsName: "t2000.ikebench.example",
                                           bits: 1024, in: Self.dir)
        let me = try IdentityFiles.load(keyPath: old.keyPath, certificatePath: old.certificatePath, id: nil)
        #expect(me.key?.publicKey.bits == 1024)
        #expect(me.certificate == (try Self.der(old)))
        // The ID is the certificate's subject, as its DER.
        #expect(me.id.kind == .derASN1DN && me.id.data.first == 0x30)
        let der = try Self.der(old)
        #expect(der.indices.contains { der[$0...].starts(with: me.id.data) })
        #expect(String(decoding: me.id.data, as: UTF8.self).contains("t2000.ikebench.example"))
        // Another key than the certificate's is still refused, by name.
        let mismatch = #expect(throws: IdentityFiles.LoadError.self) {
            _ = try IdentityFiles.load(keyPath: Self.issued.keyPath, certificatePath: old.certificatePath, id: nil)
        }
        #expect(mismatch?.description.contains("does not carry the public key") == true)
        // As a --trust anchor it is refused with what to do instead, not "incorrectParameterSize".
        let trust = #expect(throws: PeerTrust.LoadError.self) { _ = try PeerTrust.load(pemFiles: [old.certificatePath]) }
        #expect(trust?.description.contains("1024-bit") == true)
        #expect(trust?.description.contains("-pubkey") == true)
    }
}

/// ECDSA identities (RFC 4754): an EC key and certificate as `--key`/`--cert`,
/// an EC certificate or bare key as `--trust`.
@Suite("IDs and trust: ECDSA")
struct ECDSATrustTests {
    static let dir = PeerTrustTests.dir.appendingPathComponent("ec")
    static let p256 = try! TestCertificate.makeEC(subject: "/C=CH/O=ikebench/CN=ec.trust.example", dnsName: "ec.trust.example", in: dir)
    static let p384 = try! TestCertificate.makeEC(subject: "/C=CH/O=ikebench/CN=ec384.trust.example", dnsName: "ec384.trust.example",
                                                   curve: "P-384", in: dir)

    @Test("an EC key and its certificate load as an ECDSA identity on the key's curve; another certificate is refused")
    func ownECIdentity() throws {
        let me = try IdentityFiles.load(keyPath: Self.p256.keyPath, certificatePath: Self.p256.certificatePath, id: nil)
        #expect(me.authentication == .ecdsaP256 && me.key == nil && me.signingKey.bits == 256)
        #expect(try IdentityFiles.load(keyPath: Self.p384.keyPath, certificatePath: nil, id: "fqdn:a.example").authentication == .ecdsaP384)
        let mismatch = #expect(throws: IdentityFiles.LoadError.self) {
            _ = try IdentityFiles.load(keyPath: Self.p256.keyPath, certificatePath: Self.p384.certificatePath, id: nil)
        }
        #expect(mismatch?.description.contains("does not carry the public key") == true)
        // An RSA certificate with an EC key: said so, not a crash.
        #expect(throws: IdentityFiles.LoadError.self) {
            _ = try IdentityFiles.load(keyPath: Self.p256.keyPath, certificatePath: PeerTrustTests.ca.certificatePath, id: nil)
        }
    }

    @Test("an Ed25519 key loads as an IKEv2-only identity (no IKEv1 method); an X25519 key is refused with the accepted kinds")
    func ed25519IdentityAndX25519Refused() throws {
        let fw = try CryptoFramework(platform: .host, policy: .inMemory(Policy()))
        try FileManager.default.createDirectory(at: Self.dir, withIntermediateDirectories: true)
        let ed = Self.dir.appendingPathComponent("ed25519.key").path
        try fw.generateECKeyPair(curve: .ed25519).pemRepresentation.write(toFile: ed, atomically: true, encoding: .utf8)
        let me = try IdentityFiles.load(keyPath: ed, certificatePath: nil, id: "fqdn:x.example")
        #expect(me.authentication == nil && me.key == nil)
        // Its certificate (openssl's PKCS#8 holds only the seed) supplies the public key, checked by a signature.
        let cert = try TestCertificate.makeEd25519(subject: "/CN=ed.trust.example", dnsName: "ed.trust.example", in: Self.dir)
        let withCert = try IdentityFiles.load(keyPath: cert.keyPath, certificatePath: cert.certificatePath, id: nil, framework: fw)
        #expect(withCert.signingKey.publicKey != nil)
        let other = try TestCertificate.makeEd25519(subject: "/CN=ed2.trust.example", dnsName: "ed2.trust.example", in: Self.dir)
        let mismatch = #expect(throws: IdentityFiles.LoadError.self) {
            _ = try IdentityFiles.load(keyPath: cert.keyPath, certificatePath: other.certificatePath, id: nil, framework: fw)
        }
        #expect(mismatch?.description.contains("does not carry the public key") == true)
        // An Ed25519 certificate as --trust speaks for its names with its key.
        let trust = try PeerTrust.load(pemFiles: [cert.certificatePath])
        #expect(try trust.publicKeys(for: .fqdn("ed.trust.example"), certificates: []).count == 1)
        let x = Self.dir.appendingPathComponent("x25519.key").path
        try fw.generateECKeyPair(curve: .x25519).pemRepresentation.write(toFile: x, atomically: true, encoding: .utf8)
        let refused = #expect(throws: IdentityFiles.LoadError.self) { _ = try IdentityFiles.load(keyPath: x, certificatePath: nil, id: "fqdn:x.example") }
        #expect(refused?.description.contains("P-256, P-384 or P-521") == true, "\(refused?.description ?? "")")
    }

    @Test("an EC certificate as --trust speaks for its names with its EC key; keys(for:) lists RSA keys only")
    func ecAnchor() throws {
        let trust = try PeerTrust.load(pemFiles: [Self.p256.certificatePath])
        let keys = try trust.publicKeys(for: .fqdn("ec.trust.example"), certificates: [])
        let point = try ECPrivateKey(pemRepresentation: Self.p256.keyPEM).publicKey
        #expect(keys == [.ec(try #require(point))])
        #expect(try trust.keys(for: .fqdn("ec.trust.example"), certificates: []).isEmpty)
        #expect(throws: ISAKMPError.self) { _ = try trust.publicKeys(for: .fqdn("someone.else"), certificates: []) }
    }
}
