import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process of ours (charon, swanctl, openssl, pkcs11-tool, cryptoadm,
/// `ikebench serve` …), started with posix_spawn and ended by its pid.
///
/// The child starts with every signal at its default disposition and none
/// blocked: a child started from a Dispatch or test thread would otherwise
/// inherit blocked signals or ignored SIGINT/SIGTERM (`openssl speed` stops
/// each measurement with SIGALRM and would never stop; charon would not end on
/// SIGTERM). Its standard input is /dev/null. It is reaped by a thread of its
/// own (``ExitWatch``), so waiting for it is bounded and never a sleeping loop,
/// and async code waits holding no thread. A child still running when the
/// last reference goes is ended like ``terminate(grace:)``.
public final class ChildProcess: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public let command: Command
    private let watch: ExitWatch
    private let capturedOutput: CaptureFile?
    private let capturedError: CaptureFile?

    public var pid: Int32 { watch.pid }

    /// Seconds between SIGTERM and SIGKILL when a child is ended.
    public static let defaultGrace = 10.0

    /// Starts `command`.
    public init(_ command: Command) throws {
        self.command = command
        let path = try Self.resolve(command.executable)
        capturedOutput = command.standardOutput == .capture ? try CaptureFile() : nil
        capturedError = command.standardError == .capture ? try CaptureFile() : nil
        let environment = command.preloadsSanitizerRuntime
            ? SanitizerPreload.applied(to: command.environment, executable: path) : command.environment
        let pid = try Self.spawn(path: path, command: command, environment: environment,
                                 output: capturedOutput?.descriptor, error: capturedError?.descriptor)
        watch = try ExitWatch(pid: pid)
    }

    deinit {
        if watch.termination == nil { terminate() }
    }

    public var isRunning: Bool { watch.termination == nil }

    /// How it ended; nil while it runs.
    public var termination: Termination? { watch.termination }

    /// Its standard output so far (all of it once it has exited), when captured.
    public var standardOutput: String { capturedOutput?.text ?? "" }

    /// Its standard error so far, when captured on its own.
    public var standardError: String { capturedError?.text ?? "" }

    /// Sends `number` to the child (to its group when it leads one), unless it has ended.
    public func signal(_ number: Int32) { watch.signal(number, group: command.leadsProcessGroup) }

    /// Blocks the calling thread until the child exits. Not for the cooperative pool: use ``exited()`` there.
    @available(*, noasync, message: "it blocks the thread: use exited()")
    @discardableResult
    public func waitForExit() -> Termination { watch.wait(until: nil)! }

    /// Blocks the calling thread until the child exits or `timeout` seconds pass (nil then).
    @available(*, noasync, message: "it blocks the thread: use exited() or Polling")
    public func waitForExit(timeout: Double) -> Termination? { watch.wait(until: Deadline(secondsFromNow: timeout)) }

    /// Suspends the calling task, holding no thread, until the child exits.
    @discardableResult
    public func exited() async -> Termination { await watch.exited() }

    /// Ends the child by its pid: SIGTERM, then SIGKILL if it is still there
    /// after `grace` seconds; returns once it is reaped. Does nothing to a
    /// child that has ended. Blocks the calling thread (bounded by `grace`
    /// and a SIGKILL), so it also serves `defer` and `deinit`.
    @discardableResult
    public func terminate(grace: Double = defaultGrace) -> Termination {
        if let termination = watch.termination { return termination }
        signal(SIGTERM)
        if let termination = watch.wait(until: Deadline(secondsFromNow: grace)) { return termination }
        signal(SIGKILL)
        return watch.wait(until: nil)!
    }

    /// The first executable called `name` in $PATH or the usual system
    /// directories (sbin ones included, which a user's $PATH may lack).
    public static func find(_ name: String, in directories: [String] = searchPath) -> String? {
        directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static var searchPath: [String] {
        let path = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map(String.init) ?? []
        let system = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        return path + system.filter { !path.contains($0) }
    }

    private static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") { return executable }
        guard let path = find(executable) else { throw Failure(description: "cannot run \(executable): not found in \(searchPath)") }
        return path
    }
}
