import Foundation

/// What to run: the executable, its arguments and environment, and where its
/// output goes. A value; ``ChildProcess`` starts it.
///
///     var command = Command("/usr/bin/openssl", ["version"])
///     command.environment["OPENSSL_CONF"] = nil
///     let outcome = try ChildProcess.run(command, timeout: 30)
public struct Command: Sendable, CustomStringConvertible {
    /// Where one of the child's output streams goes.
    public enum Destination: Sendable, Equatable {
        /// /dev/null.
        case discard
        /// Ours: the child writes where this process writes.
        case inherit
        /// A temporary file of the ``ChildProcess`` (unlinked at once, so nothing is
        /// left behind), read with ``ChildProcess/standardOutput`` or
        /// ``ChildProcess/standardError`` while it runs and after: no pipe can
        /// fill and stop the child, and no grandchild holding the stream open
        /// keeps a reader waiting.
        case capture
        /// A file, created or truncated.
        case file(String)
        /// For standard error only: the same stream as standard output, in the order written.
        case sameAsStandardOutput
    }

    /// A path, or a name looked up with ``ChildProcess/find(_:in:)``.
    public var executable: String
    public var arguments: [String]
    /// The child's whole environment: ours, with the additions given to `init`.
    public var environment: [String: String]
    public var standardOutput: Destination = .capture
    public var standardError: Destination = .sameAsStandardOutput
    /// The child leads a process group of its own, and ending it signals the
    /// whole group (`openssl speed -multi` and its workers).
    public var leadsProcessGroup = false
    /// Whether ``SanitizerPreload`` may add the ASan runtime to the child's
    /// environment; false for tools that never load the framework's module
    /// (compilers, man, SoftHSM2's utility), where the runtime is only a risk.
    public var preloadsSanitizerRuntime = true

    /// `executable` with `arguments`, in our environment with `environment` added (replacing what it names).
    public init(_ executable: String, _ arguments: [String] = [], environment additions: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        environment = ProcessInfo.processInfo.environment.merging(additions) { $1 }
    }

    /// The command line as a person would type it (the executable's base name).
    public var description: String {
        ([URL(fileURLWithPath: executable).lastPathComponent] + arguments).joined(separator: " ")
    }
}
