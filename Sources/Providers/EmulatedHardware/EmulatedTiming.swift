import CryptoFramework
import Foundation

/// When an emulated provider's result is released, relative to when the host
/// has computed it: the switch between a benchmark that reports modeled time
/// and a demonstration in which a client waits as a T2000's client waited.
public enum EmulatedTiming: Sendable, Hashable {
    /// As soon as the host has computed the result; modeled time is only reported.
    case fast
    /// Not before the operation's modeled T1 time × `scale` has passed on the
    /// wall clock since it started (ncp/0: since its MAU started the job, so
    /// queueing is real; sparcfp: since the request reached the provider).
    case timed(scale: Double)

    /// Parses `fast`, `timed` or `timed:SCALE` (SCALE a finite number ≥ 0,
    /// e.g. `timed:0.01` for a hundredth): the grammar of
    /// ``FrameworkEnvironment/timing`` and of `ikebench --timing`.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "fast" {
            self = .fast
            return
        }
        let parts = trimmed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.first == "timed" else {
            throw CryptoError(.argumentsBad, "\(FrameworkEnvironment.timing.name)=\(text): expected fast, timed or timed:SCALE")
        }
        guard parts.count == 2 else {
            self = .timed(scale: 1)
            return
        }
        guard let scale = Double(parts[1]), scale.isFinite, scale >= 0 else {
            throw CryptoError(.argumentsBad, "\(FrameworkEnvironment.timing.name)=\(text): SCALE must be a finite number ≥ 0")
        }
        self = .timed(scale: scale)
    }

    /// The timing `environment` asks for: `.fast` when the variable is unset or
    /// empty; a malformed value is an error (never silently fast).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> EmulatedTiming {
        guard let value = FrameworkEnvironment.timing.value(in: environment) else { return .fast }
        return try EmulatedTiming(parsing: value)
    }

    /// The timing in the grammar ``init(parsing:)`` reads back: `fast` or
    /// `timed:SCALE` (for a child's ``FrameworkEnvironment/timing``, and reports).
    public var text: String {
        switch self {
        case .fast: "fast"
        case .timed(let scale): "timed:\(scale)"
        }
    }

    /// The operation count (in ``OperationReport/counts``) that records the
    /// wall-clock nanoseconds a timed operation was held to take.
    public static let holdCountName = "timed.hold_ns"

    /// Wall-clock nanoseconds an operation of `modeledSeconds` must take, or nil when fast.
    public func holdNanoseconds(modeledSeconds: Double) -> UInt64? {
        guard case .timed(let scale) = self, scale > 0, modeledSeconds > 0 else { return nil }
        let nanoseconds = modeledSeconds * scale * 1e9
        return nanoseconds >= Double(UInt64.max) ? UInt64.max : UInt64(nanoseconds)
    }
}
