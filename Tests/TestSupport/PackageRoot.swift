import Foundation

/// The package's root directory (where Package.swift is), for tests that run
/// its built products or read its sources.
public enum PackageRoot {
    /// This file is Tests/TestSupport/PackageRoot.swift.
    public static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
