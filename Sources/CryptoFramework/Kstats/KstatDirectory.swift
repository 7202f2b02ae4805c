import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads what running processes published with ``KstatPublisher`` (the
/// reading side of `cryptoadm kstat`).
public enum KstatDirectory {
    /// The directory the environment names (``FrameworkEnvironment/kstatDirectory``), or nil.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        FrameworkEnvironment.kstatDirectory.url(in: environment, isDirectory: true)
    }

    /// The documents of processes still running, by pid. A file whose process
    /// has gone (killed before it could remove it) or that does not parse is
    /// skipped: the directory is only read, never cleaned.
    public static func read(_ directory: URL) throws -> [KstatDocument] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw CryptoError(.fileError, "cannot read the kstat directory \(directory.path): \(error.localizedDescription)")
        }
        return names.compactMap { name -> KstatDocument? in
            guard name.hasSuffix(".json"), let pid = Int32(name.prefix { $0 != "." }), isRunning(pid) else { return nil }
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { return nil }
            return try? JSONDecoder().decode(KstatDocument.self, from: data)
        }.sorted { ($0.pid, $0.framework) < ($1.pid, $1.framework) }
    }

    /// Whether process `pid` exists (signal 0 delivers nothing; EPERM means it exists as another user's).
    static func isRunning(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }
}
