import ArgumentParser
import CryptoFramework
import Foundation
import Providers

/// The options of every command that builds a framework: the platform, the
/// policy file, how the emulated T2000 behaves, and JSON output.
public struct FrameworkOptions: ParsableArguments {
    @Option(
        name: .customLong("platform"),
        help: ArgumentHelp(
            "The platform whose providers serve: host, t2000 (UltraSPARC T1) or t5220 (UltraSPARC T2) (speed takes a list, host,t2000). Default: host; compare: t2000.",
            valueName: "name"))
    public var platformList: String?

    @OptionGroup public var policy: PolicyFileOption
    @OptionGroup public var emulation: EmulationOptions
    @OptionGroup public var output: JSONOutputOption

    public init() {}

    public func validate() throws {
        for name in platformList.map(Self.names) ?? [] where Platform.named(name) == nil {
            throw ValidationError("unknown platform '\(name)'; known: \(Platform.all.map(\.name).joined(separator: ", "))")
        }
    }

    public var json: Bool { output.isOn }

    /// The platform names given, else `defaultName`.
    public func platformNames(default defaultName: String) -> [String] {
        platformList.map(Self.names) ?? [defaultName]
    }

    /// The platforms named (else `defaultName`), each built with --timing and
    /// --fp-trap-penalty. A timed run needs a modeled platform (t2000, t5220)
    /// among them: only their providers have a modeled time to hold.
    public func platforms(default defaultName: String) throws -> [Platform] {
        let names = platformNames(default: defaultName)
        let modeled = [Platform.t2000.name, Platform.t5220.name]
        if emulation.isTimed && !names.contains(where: modeled.contains) {
            throw ValidationError("a timed --timing needs --platform \(modeled.joined(separator: " or ")): only their emulated providers have a modeled time to hold")
        }
        return names.map { emulation.platform(named: $0)! }  // validate() checked the names
    }

    /// The one platform named, else `defaultName`: a list is a usage error here.
    public func platform(default defaultName: String) throws -> Platform {
        let platforms = try platforms(default: defaultName)
        guard platforms.count == 1 else { throw ValidationError("--platform takes one name here (speed takes a list)") }
        return platforms[0]
    }

    private static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
