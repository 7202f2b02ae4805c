import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a tool to completion (openssl, pkcs11-tool, swanctl, cryptoadm),
/// killed by its pid if it outlives `timeout`.
public enum ChildProcess {
    public struct Outcome: CustomStringConvertible {
        public let status: Int32
        public let output: String
        public var description: String { "exit \(status): \(output)" }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 120) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.environment = SanitizerPreload.applied(to: ProcessInfo.processInfo.environment.merging(environment) { $1 }, executable: path)
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        do {
            try p.run()
        } catch {
            throw Failure(description: "cannot run \(path): \(error.localizedDescription)")
        }
        let pid = p.processIdentifier
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler { kill(pid, SIGKILL) }
        timer.resume()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        timer.cancel()
        return Outcome(status: p.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Runs and requires exit status 0.
    @discardableResult
    public static func check(_ path: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 120) throws -> String {
        let outcome = try run(path, arguments, environment: environment, timeout: timeout)
        guard outcome.status == 0 else {
            throw Failure(description: "\((path as NSString).lastPathComponent) \(arguments.joined(separator: " ")) failed, \(outcome)")
        }
        return outcome.output
    }

    /// The first executable called `name` in the usual system directories.
    public static func find(_ name: String, in directories: [String] = ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin"]) -> String? {
        directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
