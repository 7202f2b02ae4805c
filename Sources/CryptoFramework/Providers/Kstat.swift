/// A named set of a provider's kernel-style statistics (after Solaris kstat):
/// counters, and a state where the thing has one (a MAU: online/offline/fail).
public struct Kstat: Sendable, Hashable, Codable {
    /// e.g. "ncp0.mau3" or "ncp0.algorithms".
    public let name: String
    public let counters: [String: Int]
    public let state: String?

    public init(name: String, counters: [String: Int], state: String? = nil) {
        self.name = name
        self.counters = counters
        self.state = state
    }
}
