import Foundation

/// The package's built products as the running tests see them: the directory
/// `swift test` built this test bundle into (wherever its scratch path is: the
/// sanitizer builds use their own), where the executables a test target
/// depends on are built too.
public enum BuildProducts {
    /// Directories to look in, nearest first: the bundle's, its executable's, and their parents.
    static let directories: [URL] = {
        var directories: [URL] = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        return directories + directories.map { $0.deletingLastPathComponent() }
    }()

    /// The built product called `name` (an executable or a library), else
    /// `.build/debug/NAME` under the package.
    public static func url(of name: String) -> URL {
        directories.map { $0.appendingPathComponent(name) }.first { FileManager.default.fileExists(atPath: $0.path) }
            ?? PackageRoot.url.appendingPathComponent(".build/debug/\(name)")
    }
}
