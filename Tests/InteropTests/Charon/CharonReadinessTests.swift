@testable import Charon
import Foundation
import Testing

/// When a started charon counts as ready: its vici socket takes a connection.
/// charon binds the socket (the file appears) before it listens, and a
/// swanctl run in that window was refused ("Connection refused"), so the
/// file's existence is not enough. Checked on sockets of our own in each state.
@Suite("charon's readiness: the vici socket accepts")
struct CharonReadinessTests {
    /// A Unix stream socket bound at a fresh path, listening or not.
    static func bound(listening: Bool) throws -> (fd: Int32, path: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vici-\(getpid())-\(UUID().uuidString.prefix(8))").path
        var address = try #require(CharonDaemon.unixAddress(path))
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(rc == 0)
        if listening { try #require(listen(fd, 4) == 0) }
        return (fd, path)
    }

    @Test func boundButNotListeningIsNotReady() throws {
        let (fd, path) = try Self.bound(listening: false)
        defer { close(fd); unlink(path) }
        #expect(FileManager.default.fileExists(atPath: path), "the file is there")
        #expect(!CharonDaemon.acceptsConnections(unixSocket: path))
    }

    @Test func listeningIsReady() throws {
        let (fd, path) = try Self.bound(listening: true)
        defer { close(fd); unlink(path) }
        #expect(CharonDaemon.acceptsConnections(unixSocket: path))
    }

    @Test func noSocketAndOverlongPathsAreNotReady() {
        #expect(!CharonDaemon.acceptsConnections(unixSocket: "/nonexistent/charon.vici"))
        #expect(!CharonDaemon.acceptsConnections(unixSocket: "/tmp/" + String(repeating: "v", count: 200)))
    }
}
