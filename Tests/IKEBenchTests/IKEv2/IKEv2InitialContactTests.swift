import CryptoFramework
import IKEHarness
import IKEProtocol
import IKEServer
import IKETestKit
import TestSupport
import Testing

/// INITIAL_CONTACT in serve (RFC 7296 §2.4 and §3.10.1; RFC 2407 §4.6.3.3 for
/// IKEv1): when an exchange whose peer authenticated carries it, the table
/// forgets that identity's other SAs from the same address, of either version,
/// and counts them under `deleted`; a later message for one of them names an
/// unknown SPI. Other identities, other addresses and half-open exchanges stay.
@Suite("INITIAL_CONTACT in serve's exchange table")
struct IKEv2InitialContactTests {
    typealias Driver = IKEv2ServiceTests.Driver

    /// An IKEv2 initiator proving `id` with the key the driver trusts.
    static func initiator(id: IKEv2Identification = IKEv2TestKeys.idI, initialContact: Bool = false) -> IKEv2Initiator {
        let ids = IKETestSupport.identities
        var configuration = IKEv2InitiatorConfiguration(
            suites: [IKEv2Suite(proposalName: "aes128-sha256-ecp256")!], identity: IKEv2Identity(key: .rsa(ids.initiator), id: id),
            peers: IKEv2FixedPeerKey(.rsa(ids.responder.publicKey)), requestChildSA: false)
        configuration.sendsInitialContact = initialContact
        return IKEv2Initiator(configuration: configuration, session: IKECryptoSession(framework: IKETestSupport.initiatorFramework))
    }

    @Test("a second IKE SA of the same identity with INITIAL_CONTACT leaves one SA; the older one's DELETE names an unknown SPI")
    func dropsTheOlderSA() async throws {
        let d = Driver()
        let old = Self.initiator()
        _ = try await IKEv2ServiceTests.negotiate(d, old)
        #expect(d.service.exchangeCount == 1)
        let fresh = Self.initiator(initialContact: true)
        _ = try await IKEv2ServiceTests.negotiate(d, fresh)
        #expect(d.service.counters[.established] == 2)
        #expect(d.service.counters[.deleted] == 1)
        #expect(d.service.exchangeCount == 1)
        // The forgotten SA: its INFORMATIONAL is unknown, unanswered, and deletes nothing more.
        #expect(await d.deliver(try await old.deleteRequest()).isEmpty)
        #expect(d.service.counters[.unknownCookies] == 1)
        #expect(d.service.counters[.deleted] == 1)
        // The SA that stayed is the new one: its DELETE is answered and forgets it.
        #expect(await d.deliver(try await fresh.deleteRequest()).count == 1)
        #expect(d.service.counters[.deleted] == 2)
        #expect(d.service.exchangeCount == 0)
    }

    @Test("without INITIAL_CONTACT both IKE SAs of one identity stay")
    func withoutInitialContactBothStay() async throws {
        let d = Driver()
        _ = try await IKEv2ServiceTests.negotiate(d, Self.initiator())
        _ = try await IKEv2ServiceTests.negotiate(d, Self.initiator())
        #expect(d.service.counters[.established] == 2)
        #expect(d.service.counters[.deleted] == 0)
        #expect(d.service.exchangeCount == 2)
    }

    @Test("another identity, the same identity from another address, and a half-open exchange are untouched")
    func othersUntouched() async throws {
        let d = Driver()
        _ = try await IKEv2ServiceTests.negotiate(d, Self.initiator())
        let other = Self.initiator(id: .fqdn("someone-else.test"))
        _ = try await IKEv2ServiceTests.negotiate(d, other)
        let elsewhere = Self.initiator()
        _ = try await IKEv2ServiceTests.negotiate(d, elsewhere, host: "192.0.2.99")
        // Half-open from the same address: it has proved no identity yet.
        #expect(await d.deliver(try await Self.initiator().start()).count == 1)
        #expect(d.service.exchangeCount == 4)
        _ = try await IKEv2ServiceTests.negotiate(d, Self.initiator(initialContact: true))
        #expect(d.service.counters[.deleted] == 1, "only the first SA: same identity, same address")
        #expect(d.service.exchangeCount == 4)
        #expect(d.service.halfOpenCount == 1)
        // Both kept SAs still answer (a DELETE each, answered and counted).
        #expect(await d.deliver(try await other.deleteRequest()).count == 1)
        #expect(await d.deliver(try await elsewhere.deleteRequest(), from: "192.0.2.99").count == 1)
        #expect(d.service.counters[.deleted] == 3)
        #expect(d.service.counters[.unknownCookies] == 0)
    }

    /// strongSwan's rule (ike_sa_manager.c: its table of connected peers has
    /// no version), and RFC 7296 §2.4's "the only IKE SA ... between the
    /// authenticated identities": the same peer's IKEv1 SA is stale too.
    @Test("INITIAL_CONTACT in IKE_AUTH drops the same identity's IKEv1 SA; INITIAL-CONTACT in Main Mode drops its IKEv2 SA")
    func acrossVersions() async throws {
        let v2ID = try #require(IKEv2Identification(ikev1: IKEIdentities.initiatorID))
        var d = Driver()
        let v1 = SharedExchangeTableTests.v1Initiator()
        try await SharedExchangeTableTests.v1Negotiate(d, v1)
        _ = try await IKEv2ServiceTests.negotiate(d, Self.initiator(id: v2ID, initialContact: true))
        #expect(d.service.counters[.deleted] == 1)
        #expect(d.service.exchangeCount == 1)
        await d.deliver(try await v1.deleteMessage())
        #expect(d.service.counters[.unknownCookies] == 1)

        d = Driver()
        let v2 = Self.initiator(id: v2ID)
        _ = try await IKEv2ServiceTests.negotiate(d, v2)
        let fresh = SharedExchangeTableTests.v1Initiator()
        fresh.sendsInitialContact = true
        try await SharedExchangeTableTests.v1Negotiate(d, fresh)
        #expect(d.service.counters[.deleted] == 1)
        #expect(d.service.exchangeCount == 1)
        #expect(await d.deliver(try await v2.deleteRequest()).isEmpty)
        #expect(d.service.counters[.unknownCookies] == 1)
    }
}
