/// Which providers exist and which clock cost models use (DESIGN.md "Platform").
/// The Providers module defines `.host` and `.t2000`; the framework core knows
/// no provider by name.
public struct Platform: Sendable {
    public let name: String
    /// The clock that modeled cycles are converted with, when the platform is modeled.
    public let clockHz: Double?
    /// Software providers in order of preference (earlier is preferred).
    public var softwarePriority: [String]
    /// Builds this platform's providers; called once per framework.
    public let makeProviders: @Sendable () throws -> [any CryptoProvider]

    public init(
        name: String, clockHz: Double?, softwarePriority: [String],
        makeProviders: @escaping @Sendable () throws -> [any CryptoProvider]
    ) {
        self.name = name
        self.clockHz = clockHz
        self.softwarePriority = softwarePriority
        self.makeProviders = makeProviders
    }
}
