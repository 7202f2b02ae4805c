import ArgumentParser
import CryptoFramework
import Providers

/// `--timing fast|timed|timed:SCALE`: the grammar of ``FrameworkEnvironment/timing``,
/// parsed by ``EmulatedTiming/init(parsing:)``.
extension EmulatedTiming: ExpressibleByArgument {
    public init?(argument: String) {
        guard let timing = try? EmulatedTiming(parsing: argument) else { return nil }
        self = timing
    }
}
