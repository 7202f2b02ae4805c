import CryptoFramework
import IKEProtocol
import IKEServer
import IKETestKit
import Testing

/// A CERTREQ may come in any message (RFC 2408 §3.10). charon, when it trusts
/// only a CA, and Libreswan's pluto send theirs in message 5; the responder
/// once looked only at message 3 and sent message 6 without CERT.
@Suite("CERTREQ in any message")
struct CertificateRequestTests {
    /// Stands for our certificate: the responder sends these bytes as they are.
    static let certificate: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x07]

    /// Message 5 with a CERTREQ after SIG_I, built from `i`'s own steps.
    static func message5AskingForCertificate(_ i: MainModeInitiator, after m4: [UInt8]) async throws -> [UInt8] {
        try await i.acceptMessage4(m4)
        let signature = try await i.sign(try await i.hashI(over: i.id))
        let chain = i.message5Payloads(signature: signature)
            + [.other(.certificateRequest, body: [CertificateEncoding.x509Signature])]
        return try await i.sealMessage5(ISAKMPMessage.encodePayloads(chain))
    }

    @Test("a CERTREQ in message 5 is answered with CERT in message 6")
    func certificateRequestInMessage5() async throws {
        let d = ServiceDriver(certificate: Self.certificate)
        let i = d.initiator()
        let m2 = try #require(await d.deliver(i.start()).last)
        let m4 = try #require(await d.deliver(try await i.message3(after: m2)).last)
        let m6 = try #require(await d.deliver(try await Self.message5AskingForCertificate(i, after: m4)).last)
        try await i.finish(m6)
        #expect(i.peerCertificates == [Self.certificate])
        #expect(d.service.counters[.established] == 1)
    }

    @Test("a CERTREQ in message 3 still gets CERT; none asked, none sent", arguments: [true, false])
    func certificateRequestInMessage3(ask: Bool) async throws {
        let d = ServiceDriver(certificate: Self.certificate)
        let i = d.initiator()
        i.requestCertificate = ask
        _ = try await ResponderServiceTests.negotiate(d, i)
        #expect(i.peerCertificates == (ask ? [Self.certificate] : []))
    }
}
