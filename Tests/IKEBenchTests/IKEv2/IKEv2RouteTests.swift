@testable import IKEServer
import IKEProtocol
import TestSupport
import Testing

/// The service places an IKEv2 datagram by ``IKEv2Route``, not by
/// ``IKEv2Header/parse(_:)``: the two must refuse the same datagrams and
/// read the same fields from the others.
@Suite("IKEv2 route")
struct IKEv2RouteTests {
    static let header = IKEv2Header(initiatorSPI: [1, 2, 3, 4, 5, 6, 7, 0x88], responderSPI: [0, 0, 0, 0, 0, 0, 0, 0],
                                    exchange: .ikeSAInit, flags: .initiator, messageID: 0)

    @Test("refuses what IKEv2Header.parse refuses and agrees with it on the rest (mutated headers)")
    func agreesWithParse() {
        let valid = Self.header.encoded(length: IKEv2Header.size + 12) + [UInt8](repeating: 0x5a, count: 12)
        var rng = SplitMix64(seed: 22)
        var accepted = 0, refused = 0
        for n in 0..<3000 {
            var m = valid
            switch n % 4 {
            case 0: m[Int.random(in: 0..<IKEv2Header.size, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 1: m = Array(m.prefix(Int.random(in: 0...m.count, using: &rng)))
            case 2: m[17] = UInt8.random(in: 0...255, using: &rng)
            default: m += [UInt8](repeating: 1, count: Int.random(in: 0...3, using: &rng))
            }
            let route = IKEv2Route(m)
            let parsed = try? IKEv2Header.parse(m[...])
            #expect((route == nil) == (parsed == nil), "\(m.prefix(28))")
            guard let route, let parsed else { refused += 1; continue }
            accepted += 1
            #expect(route.spis == CookiePair(parsed.initiatorSPI, parsed.responderSPI))
            #expect(route.exchangeType == parsed.exchangeType && route.flags == parsed.flags && route.messageID == parsed.messageID)
            #expect(route.exchange == parsed.exchange && route.isResponse == parsed.isResponse)
            #expect(route.opening == parsed.responderSPI.allSatisfy { $0 == 0 })
        }
        #expect(accepted > 100 && refused > 100)
    }

    @Test("the trace line's SPI text is the bytes in hex, two digits each, as the load's failure reports write it")
    func spiText() throws {
        let m = Self.header.encoded(length: IKEv2Header.size)
        let route = try #require(IKEv2Route(m))
        #expect(route.initiatorSPIText == Self.header.initiatorSPI.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        // Bytes under 16 keep their leading zero: 00 01 0a 10 ff 00 00 05, not "01a10ff005".
        var low = Self.header
        low.initiatorSPI = [0x00, 0x01, 0x0a, 0x10, 0xff, 0x00, 0x00, 0x05]
        let lowRoute = try #require(IKEv2Route(low.encoded(length: IKEv2Header.size)))
        #expect(lowRoute.initiatorSPIText == "00010a10ff000005")
    }
}
