/// A provider's typed tally of the work it modeled for a request (the FP and
/// integer instructions of a software bignum, say). Tallies add up.
public protocol WorkTally: Sendable {
    init()
    static func + (lhs: Self, rhs: Self) -> Self
}

/// The typed tallies one request recorded, one per tally type: a cost model
/// reads them back by type (``tally(_:)``), never by parsing the report's
/// display names.
public struct ModeledWork: Sendable {
    private var tallies: [ObjectIdentifier: any WorkTally] = [:]

    public init() {}

    /// The tally of that type, or nil when the request recorded none.
    public func tally<T: WorkTally>(_ type: T.Type) -> T? {
        tallies[ObjectIdentifier(type)] as? T
    }

    /// Adds `tally` to the one of its type.
    public mutating func add<T: WorkTally>(_ tally: T) {
        let key = ObjectIdentifier(T.self)
        tallies[key] = ((tallies[key] as? T) ?? T()) + tally
    }

    /// The sum of the tallies of that type over many requests.
    public static func total<T: WorkTally>(_ type: T.Type, of works: some Sequence<ModeledWork>) -> T {
        works.reduce(T()) { $0 + ($1.tally(type) ?? T()) }
    }
}
