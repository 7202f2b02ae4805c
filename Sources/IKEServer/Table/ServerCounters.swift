import Synchronization

/// What the UDP responder did with the datagrams it received; every refusal
/// and every drop is counted (kstat-style names).
public final class ServerCounters: Sendable {
    public enum Name: String, CaseIterable, Sendable {
        case received
        /// Not an ISAKMP message (short, bad header, bad length, too large).
        case malformed
        /// Cookies of no exchange we keep (a message 3 before message 1, a stale or forged one).
        case unknownCookies
        /// A repeated message answered with the stored reply, no crypto redone.
        case retransmitsAnswered
        /// A repeated message that arrived while its first copy was still being processed.
        case duplicatesDropped
        /// A new exchange refused: the table was full of half-open exchanges.
        case tableFull
        /// Established SAs forgotten to make room for a new exchange (the table was full).
        case evicted
        /// A new exchange refused: its address already had the most half-open exchanges allowed.
        case peerCapReached
        /// Exchanges dropped at the end of their lifetime: half-open ones for lack of progress, established ones past theirs.
        case expired
        /// Main Mode completed (message 6 sent).
        case established
        /// An exchange ended by an error (refused with a Notify when the error has a type).
        case failed
        case notifiesSent
        /// SAs forgotten because the peer deleted them or sent INITIAL-CONTACT.
        case deleted
        /// Informational messages of a known exchange that could not be read
        /// (not decryptable, bad HASH(1)): dropped unanswered (RFC 2408 §4.8).
        case informationalsDropped
    }

    // One atomic per counter (Atomic is not copyable, so not an array).
    private let receivedCount = Atomic<Int>(0)
    private let malformedCount = Atomic<Int>(0)
    private let unknownCookiesCount = Atomic<Int>(0)
    private let retransmitsAnsweredCount = Atomic<Int>(0)
    private let duplicatesDroppedCount = Atomic<Int>(0)
    private let tableFullCount = Atomic<Int>(0)
    private let evictedCount = Atomic<Int>(0)
    private let peerCapReachedCount = Atomic<Int>(0)
    private let expiredCount = Atomic<Int>(0)
    private let establishedCount = Atomic<Int>(0)
    private let failedCount = Atomic<Int>(0)
    private let notifiesSentCount = Atomic<Int>(0)
    private let deletedCount = Atomic<Int>(0)
    private let informationalsDroppedCount = Atomic<Int>(0)

    public init() {}

    func add(_ name: Name, _ n: Int = 1) {
        switch name {
        case .received: receivedCount.add(n, ordering: .relaxed)
        case .malformed: malformedCount.add(n, ordering: .relaxed)
        case .unknownCookies: unknownCookiesCount.add(n, ordering: .relaxed)
        case .retransmitsAnswered: retransmitsAnsweredCount.add(n, ordering: .relaxed)
        case .duplicatesDropped: duplicatesDroppedCount.add(n, ordering: .relaxed)
        case .tableFull: tableFullCount.add(n, ordering: .relaxed)
        case .evicted: evictedCount.add(n, ordering: .relaxed)
        case .peerCapReached: peerCapReachedCount.add(n, ordering: .relaxed)
        case .expired: expiredCount.add(n, ordering: .relaxed)
        case .established: establishedCount.add(n, ordering: .relaxed)
        case .failed: failedCount.add(n, ordering: .relaxed)
        case .notifiesSent: notifiesSentCount.add(n, ordering: .relaxed)
        case .deleted: deletedCount.add(n, ordering: .relaxed)
        case .informationalsDropped: informationalsDroppedCount.add(n, ordering: .relaxed)
        }
    }

    public subscript(_ name: Name) -> Int {
        switch name {
        case .received: receivedCount.load(ordering: .relaxed)
        case .malformed: malformedCount.load(ordering: .relaxed)
        case .unknownCookies: unknownCookiesCount.load(ordering: .relaxed)
        case .retransmitsAnswered: retransmitsAnsweredCount.load(ordering: .relaxed)
        case .duplicatesDropped: duplicatesDroppedCount.load(ordering: .relaxed)
        case .tableFull: tableFullCount.load(ordering: .relaxed)
        case .evicted: evictedCount.load(ordering: .relaxed)
        case .peerCapReached: peerCapReachedCount.load(ordering: .relaxed)
        case .expired: expiredCount.load(ordering: .relaxed)
        case .established: establishedCount.load(ordering: .relaxed)
        case .failed: failedCount.load(ordering: .relaxed)
        case .notifiesSent: notifiesSentCount.load(ordering: .relaxed)
        case .deleted: deletedCount.load(ordering: .relaxed)
        case .informationalsDropped: informationalsDroppedCount.load(ordering: .relaxed)
        }
    }

    public var snapshot: [String: Int] {
        Dictionary(uniqueKeysWithValues: Name.allCases.map { ($0.rawValue, self[$0]) })
    }
}
