import CryptoFramework
@testable import IKEHarness
@testable import IKEProtocol
@testable import IKEServer
import IKETestKit
import TestSupport
import Testing

/// serve's bookkeeping around the protocol, where it was made cheaper per
/// datagram and per SA: the table's IKEv2 queue changed in place, and the
/// run's tallies read each negotiation's records in place (a run of records
/// from one provider counted with one look-up). The figures they keep must be
/// the same as counting record by record.
@Suite("Serve bookkeeping")
struct ServeBookkeepingTests {
    static func record(_ name: IKEOperationName, _ mechanism: Mechanism, _ provider: String, _ ns: UInt64,
                       modeled: Double? = nil) -> IKEOperationRecord {
        IKEOperationRecord(name: name, mechanism: mechanism, provider: provider, hostNanoseconds: ns, modeledSeconds: modeled,
                           dataBytes: 0, keyBytes: 0, work: ModeledWork())
    }

    @Test("the live display's per-second counts: each operation's providers, counted, and emptied each second")
    func liveDisplayCountsPerOperation() {
        let (a, b) = ("openssl", "a provider with a name too long to be a small string")
        var counts = ServedCounts()
        for (name, provider) in [(IKEOperationName.prf, a), (.prf, b), (.prf, a), (.ecSign, b), (.prf, a), (.integrity, a)] {
            counts.count(name, provider)
        }
        #expect(counts.providers(of: .prf).map { "\($0.provider)=\($0.count)" } == ["\(a)=3", "\(b)=1"])
        #expect(counts.providers(of: .ecSign).map { "\($0.provider)=\($0.count)" } == ["\(b)=1"])
        #expect(counts.providers(of: .integrity).map { "\($0.provider)=\($0.count)" } == ["\(a)=1"])
        #expect(counts.providers(of: .dhGenerate).isEmpty)
        counts.reset()
        for name in IKEOperationName.allCases { #expect(counts.providers(of: name).isEmpty) }
        counts.count(.prf, b)
        #expect(counts.providers(of: .prf).map { "\($0.provider)=\($0.count)" } == ["\(b)=1"])
    }

    @Test("per-second providers and per-operation sums count every record, in runs of one provider and mixed")
    func tallyCountsEveryRecord() throws {
        let (a, b) = ("openssl", "a provider with a name too long to be a small string")
        let first = [
            Self.record(.dhGenerate, .sha256, a, 10), Self.record(.prf, .sha256, a, 20), Self.record(.prf, .sha256, b, 30),
            Self.record(.prf, .sha256, a, 40), Self.record(.ecSign, .ecdsa, b, 50), Self.record(.ecSign, .ecdsa, b, 60),
        ]
        let second = [Self.record(.prf, .sha256, a, 5), Self.record(.ecSign, .ecdsa, a, 7)]
        let platform = IKETestSupport.host.platform
        var tally = RunTally()
        tally.record(NegotiationOutcome(hostNanoseconds: 1_000, records: first, platform: platform), second: 0)
        tally.record(NegotiationOutcome(hostNanoseconds: 3_000, records: second, platform: platform), second: 0)
        tally.record(NegotiationOutcome(hostNanoseconds: 2_000, records: [], platform: platform), second: 2)
        tally.record(NegotiationOutcome(hostNanoseconds: 4_000, records: [first[4]], platform: platform), second: 2)

        let seconds = tally.timeline.seconds
        #expect(seconds.map(\.second) == [1, 3])
        #expect(seconds.map(\.negotiations) == [2, 2])
        #expect(seconds[0].providers == [a: 5, b: 3])
        #expect(seconds[1].providers == [b: 1])
        #expect(seconds[0].hostSecondsMean == 2e-6 && seconds[1].hostSecondsMean == 3e-6)

        // The same sums as counting one record at a time.
        var expected: [RunTally.Key: (count: Int, ns: UInt64)] = [:]
        for r in first + second + [first[4]] {
            let k = RunTally.Key(name: r.name, mechanism: r.mechanism.value, provider: try #require(tally.providers.firstIndex(of: r.provider)))
            expected[k, default: (0, 0)].count += 1
            expected[k, default: (0, 0)].ns += r.hostNanoseconds
        }
        #expect(tally.operations.count == expected.count)
        for (k, e) in expected {
            let s = try #require(tally.operations[k])
            #expect(s.count == e.count && s.hostNanoseconds == e.ns && tally.mechanisms[k.mechanism]?.value == k.mechanism, "\(k)")
        }
        #expect(tally.negotiations == 4)
        #expect(tally.providers == [a, b])
        #expect(tally.operationSummaries.map { "\($0.name) \($0.mechanism) \($0.provider) \($0.count)" } == [
            "dh-generate CKM_SHA256 openssl 1", "prf CKM_SHA256 \(b) 1", "prf CKM_SHA256 openssl 3",
            "ec-sign CKM_ECDSA \(b) 3", "ec-sign CKM_ECDSA openssl 1",
        ])
    }

    @Test("merged tallies add each operation's sums under its provider, whatever index each tally gave it")
    func mergeRemapsProviders() {
        let platform = IKETestSupport.host.platform
        var x = RunTally(), y = RunTally()
        x.record(NegotiationOutcome(hostNanoseconds: 1, records: [Self.record(.prf, .sha256, "p", 1), Self.record(.prf, .sha256, "q", 2)],
                                    platform: platform), second: 0)
        y.record(NegotiationOutcome(hostNanoseconds: 1, records: [Self.record(.prf, .sha256, "q", 4), Self.record(.prf, .sha256, "r", 8)],
                                    platform: platform), second: 0)
        x.merge(y)
        #expect(x.operationSummaries.map { "\($0.provider) \($0.count) \(Int(($0.hostSecondsMean * 1e9).rounded()))" } == ["p 1 1", "q 2 3", "r 1 8"])
        #expect(x.timeline.seconds.first?.providers == ["p": 1, "q": 2, "r": 1])
    }

    /// An IKE_SA_INIT request's header from `spi` (responder SPI zero), as IKEv2Route reads it.
    static func saInit(_ spi: UInt8) -> [UInt8] {
        [UInt8](repeating: spi, count: 8) + [UInt8](repeating: 0, count: 8)
            + [0, 0x20, IKEv2ExchangeType.ikeSAInit.rawValue, 0x08, 0, 0, 0, 0, 0, 0, 0, 28]
    }

    @Test("an IKEv2 exchange's queue counts its datagrams in place, refuses past its bound, and settles back to empty")
    func ikev2QueueInPlace() throws {
        let configuration = try #require(IKEv2ServiceTests.Driver().service.configuration.ikev2)
        var table = ExchangeTable(limits: ExchangeLimits())
        var upkeep = ExchangeTable.Upkeep()
        let host: PeerAddress = "192.0.2.7"
        let route = try #require(IKEv2Route(Self.saInit(7)))
        var opens = 0
        func open() -> IKEv2Responder {
            opens += 1
            return IKEv2Responder(configuration: configuration, session: IKECryptoSession(framework: IKETestSupport.host))
        }
        var key: ExchangeKey?
        for n in 0..<ExchangeTable.maxQueued {
            guard case .take(let k, _, let after, let startedAt, let opened) = table.receive(
                route, host: host, now: UInt64(n + 1), upkeep: &upkeep, open: open)
            else { Issue.record("datagram \(n) of one exchange should be queued"); return }
            #expect(opened == (n == 0) && startedAt == 1 && after == nil)
            key = k
        }
        let k = try #require(key)
        #expect(opens == 1)
        #expect(table.entries[k]?.ikev2?.queued == ExchangeTable.maxQueued && table.entries[k]?.touchedAt == UInt64(ExchangeTable.maxQueued))
        // Past the bound: dropped, and the exchange is not touched.
        guard case .drop(.duplicatesDropped) = table.receive(route, host: host, now: 1_000, upkeep: &upkeep, open: open) else {
            Issue.record("a datagram past the queue's bound should be dropped"); return
        }
        #expect(table.entries[k]?.touchedAt == UInt64(ExchangeTable.maxQueued))
        // The exchange's SPIs from another address: not its peer.
        guard case .drop(.unknownCookies) = table.receive(
            try #require(IKEv2Route(Array(k.pair.initiator.bigEndianBytes + k.pair.responder.bigEndianBytes) + Array(Self.saInit(7)[16...]))),
            host: "192.0.2.8", now: 1_001, upkeep: &upkeep, open: open)
        else { Issue.record("another address's datagram should not reach the exchange"); return }

        let task = Task {}
        table.setTail(k, task)
        #expect(table.entries[k]?.ikev2?.tail == task)
        for n in 0..<ExchangeTable.maxQueued {
            #expect(!table.settle(k, events: [], closed: false, upkeep: &upkeep))
            #expect(table.entries[k]?.ikev2?.queued == ExchangeTable.maxQueued - n - 1)
        }
        #expect(table.entries[k]?.ikev2?.tail == nil && table.entries[k]?.busy == false)
        #expect(table.bookkeepingErrors().isEmpty)
        // Settling an exchange gone changes nothing and says so.
        table.remove(k)
        #expect(!table.settle(k, events: [], closed: false, upkeep: &upkeep))
        #expect(table.entries[k] == nil && table.bookkeepingErrors().isEmpty)
    }

    @Test("an IKEv1 exchange's state is never read as IKEv2's, nor the reverse")
    func versionPartsStayApart() {
        let responder = MainModeResponder(IKEv2ServiceTests.Driver().service.configuration, observer: SilentResponderObserver())
        var state = ExchangeState.ikev1(MainModeExchange(responder: responder, pmInfo: "1"))
        #expect(state.ikev2 == nil && state.modifyIKEv2 { $0.queued += 1 } == nil)
        #expect(state.modifyIKEv1 { $0.inTurn = true; return 1 } == 1)
        #expect(state.ikev1?.inTurn == true && state.busy)
    }
}

extension UInt64 {
    fileprivate var bigEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (56 - 8 * $0)) } }
}
