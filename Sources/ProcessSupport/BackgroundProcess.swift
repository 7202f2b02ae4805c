import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A long-running child (charon, `ikebench serve`) whose output goes to a
/// file, ended by its pid: SIGTERM, then SIGKILL after a grace period.
public final class BackgroundProcess: @unchecked Sendable {  // `process` is set once in init; stop() is idempotent behind `lock`
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    public init(_ path: String, _ arguments: [String], environment: [String: String], output: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.environment = SanitizerPreload.applied(to: ProcessInfo.processInfo.environment.merging(environment) { $1 }, executable: path)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
    }

    deinit { stop() }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public func stop(grace: Double = 15) {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
    }
}
