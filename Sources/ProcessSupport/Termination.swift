/// How a child ended.
public enum Termination: Sendable, Equatable, CustomStringConvertible {
    /// It called exit with this status.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)

    /// The exit status, or the number of the signal that ended it (as Foundation's `terminationStatus`).
    public var status: Int32 {
        switch self {
        case .exited(let status), .signalled(let status): status
        }
    }

    public var description: String {
        switch self {
        case .exited(let status): "exit \(status)"
        case .signalled(let signal): "signal \(signal)"
        }
    }

    /// From a waitpid(2) status (WIFEXITED and its friends are macros Swift does not import).
    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        self = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signalled(signal)
    }
}
