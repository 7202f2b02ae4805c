#if canImport(Glibc)
import Glibc
#endif

extension ChildProcess {
    /// A finished run: how it ended and what it wrote.
    public struct Outcome: Sendable, CustomStringConvertible {
        public let termination: Termination
        /// Captured standard output (with standard error, when that went the same way).
        public let standardOutput: String
        /// Captured standard error, when captured on its own.
        public let standardError: String
        /// It outlived its time limit and was ended.
        public let timedOut: Bool

        /// The exit status, or the signal's number.
        public var status: Int32 { termination.status }

        public var description: String {
            var text = "\(termination)\(timedOut ? " (ended at its time limit)" : ""): \(standardOutput)"
            if !standardError.isEmpty { text += "\n--- standard error\n\(standardError)" }
            return text
        }
    }

    /// Runs `command` to completion, blocking the calling thread; a child that
    /// outlives `timeout` seconds is ended (``terminate(grace:)``).
    @available(*, noasync, message: "it blocks the thread: use the async form")
    public static func run(_ command: Command, timeout: Double = 120) throws -> Outcome {
        let child = try ChildProcess(command)
        let exited = child.waitForExit(timeout: timeout)
        return child.outcome(exited ?? child.terminate(), timedOut: exited == nil)
    }

    /// The async form: the task waits for the child holding no thread.
    public static func run(_ command: Command, timeout: Double = 120) async throws -> Outcome {
        let child = try ChildProcess(command)
        let ender = Task {
            guard (try? await Task.sleep(nanoseconds: Deadline.span(timeout))) != nil else { return false }
            child.signal(SIGTERM)
            if (try? await Task.sleep(nanoseconds: Deadline.span(defaultGrace))) != nil { child.signal(SIGKILL) }
            return true
        }
        let termination = await child.exited()
        ender.cancel()
        return child.outcome(termination, timedOut: await ender.value)
    }

    /// Runs `command` and requires exit status 0; returns its output.
    @discardableResult
    @available(*, noasync, message: "it blocks the thread: use the async form")
    public static func check(_ command: Command, timeout: Double = 120) throws -> String {
        try checked(run(command, timeout: timeout), command)
    }

    /// The async form.
    @discardableResult
    public static func check(_ command: Command, timeout: Double = 120) async throws -> String {
        try checked(await run(command, timeout: timeout), command)
    }

    private static func checked(_ outcome: Outcome, _ command: Command) throws -> String {
        guard outcome.termination == .exited(0), !outcome.timedOut else {
            throw Failure(description: "\(command) failed, \(outcome)")
        }
        return outcome.standardOutput
    }

    /// How it ended and what it wrote, once it has exited; nil while it runs.
    public var outcome: Outcome? { termination.map { outcome($0, timedOut: false) } }

    private func outcome(_ termination: Termination, timedOut: Bool) -> Outcome {
        Outcome(termination: termination, standardOutput: standardOutput, standardError: standardError, timedOut: timedOut)
    }
}
