import Foundation
import Retell
import Testing

/// Phase I boundaries read from charon's log (strongSwan filelog with
/// `time_format = %s`, `time_add_ms = yes`, `ike_name = yes`).
@Suite("charon's responder log")
struct ResponderLogTests {
    static let log = """
        1764420000.000 00[DMN] Starting IKE charon daemon (strongSwan 5.9.8, Linux, x86_64)
        1764420001.100 13[NET] <1> received packet: from 127.0.0.1[15500] to 127.0.0.1[25500] (176 bytes)
        1764420001.101 13[ENC] <1> parsed ID_PROT request 0 [ SA V V V V V ]
        1764420001.102 13[NET] <1> sending packet: from 127.0.0.1[25500] to 127.0.0.1[15500] (156 bytes)
        1764420001.200 15[NET] <1> received packet: from 127.0.0.1[15500] to 127.0.0.1[25500] (244 bytes)
        1764420001.300 15[NET] <1> sending packet: from 127.0.0.1[25500] to 127.0.0.1[15500] (508 bytes)
        1764420001.400 01[NET] <1> received packet: from 127.0.0.1[15500] to 127.0.0.1[25500] (524 bytes)
        1764420001.401 01[IKE] <1> received retransmit of request with ID 0, retransmitting response
        1764420001.500 01[IKE] <retell|1> IKE_SA retell[1] established between 127.0.0.1[C=US, O=CryptoFramework, CN=responder]...127.0.0.1[C=US, O=CryptoFramework, CN=initiator]
        1764420001.600 01[NET] <retell|1> sending packet: from 127.0.0.1[25500] to 127.0.0.1[15500] (236 bytes)
        1764420002.000 07[NET] <retell|1> received packet: from 127.0.0.1[15500] to 127.0.0.1[25500] (92 bytes)
        1764420002.001 07[NET] <retell|1> sending packet: from 127.0.0.1[25500] to 127.0.0.1[15500] (92 bytes)
        1764420003.000 09[NET] <2> received packet: from 127.0.0.1[15500] to 127.0.0.1[25500] (176 bytes)
        1764420003.500 09[IKE] <2> received AUTHENTICATION_FAILED error notify
        """

    @Test("Phase I runs from the SA's first packet received to the first sent once established; retransmits are counted")
    func exchanges() throws {
        let parsed = ResponderLog(Self.log)
        #expect(parsed.exchanges.map(\.id) == [1, 2])
        let first = parsed.exchanges[0]
        #expect(first.established)
        #expect(abs(try #require(first.phaseOneSeconds) - 0.5) < 1e-6)
        #expect(first.retransmits == 1)
        let second = parsed.exchanges[1]
        #expect(!second.established)
        #expect(second.phaseOneSeconds == nil)
    }

    @Test("lines without an IKE SA, or malformed, are ignored")
    func noise() {
        let parsed = ResponderLog("garbage\n12 no tag here\nabc 01[NET] <x> received packet:\n1.5 01[NET] <retell|> sending packet:\n")
        #expect(parsed.exchanges.isEmpty)
    }
}
