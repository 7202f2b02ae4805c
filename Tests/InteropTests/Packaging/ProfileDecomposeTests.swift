import Foundation
import ProcessSupport
import TestSupport
import Testing

/// `make profile-serve`'s arithmetic: scripts/profile-decompose.py puts each
/// perf sample of serve in one share (libcrypto, kernel by what it does,
/// SwiftNIO, Swift's tasks, the module of ours it is in, the standard
/// library). Eight made-up samples, one or two per share, whose call chains
/// are written the way `perf script -F ip,sym,dso` prints them.
@Suite("Packaging: profile-decompose.py")
struct ProfileDecomposeTests {
    static let script = PackageRoot.url.appendingPathComponent("scripts/profile-decompose.py").path

    static let samples = """
        \t    7f00 EC_POINT_mul (/usr/lib/x86_64-linux-gnu/libcrypto.so.3)
        \t    1234 $s15ProviderOpenSSL0B11SSLProviderC7performyyF (/work/ikebench)

        \tffffffff udp_sendmsg ([kernel.kallsyms])
        \t    abcd __sendmmsg (/usr/lib/x86_64-linux-gnu/libc.so.6)

        \t    aaaa swift_retain (/opt/swift/usr/lib/swift/linux/libswiftCore.so)
        \t    bbbb $s11IKEProtocol14IKEv2ResponderC6handleyyF (/work/ikebench)

        \t    cccc swift_release (/opt/swift/usr/lib/swift/linux/libswiftCore.so)
        \t    dddd $s8NIOPosix15DatagramChannelC14readFromSocketyyF (/work/ikebench)

        \t    eeee swift_task_switch (/opt/swift/usr/lib/swift/linux/libswift_Concurrency.so)
        \t    ffff swift_job_run (/opt/swift/usr/lib/swift/linux/libswift_Concurrency.so)

        \t    1111 malloc (/usr/lib/x86_64-linux-gnu/libc.so.6)
        \t    2222 [unknown] ([unknown])

        \t    3333 $ss6HasherV9_finalizeSiyF (/work/ikebench)
        \t    4444 start_thread (/usr/lib/x86_64-linux-gnu/libc.so.6)

        \t    5555 $s9IKEServer21EventLoopTaskExecutorC5drainyyF (/work/ikebench)

        """

    static func decompose(_ input: String, perSA: String) async throws -> ChildProcess.Outcome {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("profile-decompose-\(getpid())-\(UUID().uuidString).txt")
        try input.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var command = Command("/bin/sh", ["-c", "exec python3 \"$0\" \"$1\" < \"$2\"", script, perSA, file.path])
        command.preloadsSanitizerRuntime = false  // python3 loads nothing of ours
        return try await ChildProcess.run(command, timeout: 120)
    }

    @Test func eachSampleLandsInItsShare() async throws {
        let outcome = try await Self.decompose(Self.samples, perSA: "80")
        #expect(outcome.status == 0, "\(outcome.standardOutput)")
        let lines = outcome.standardOutput.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        for expected in [
            "8 samples, 80.0 us of CPU per SA",
            "20.0 us libcrypto",  // EC_POINT_mul, and malloc called from an unwalkable frame
            "10.0 us of which libc calls under frames perf could not walk",
            "10.0 us kernel",
            "10.0 us sending (with loopback delivery to the peer)",
            "50.0 us everything else:",
            "20.0 us tasks",  // no frame of ours, and the loop's task executor
            "10.0 us IKEProtocol",  // swift_retain under IKEv2Responder.handle
            "10.0 us NIO",
            "10.0 us stdlib",
        ] {
            #expect(lines.contains(expected), "no line \"\(expected)\" in:\n\(outcome.standardOutput)")
        }
        #expect(!lines.contains { $0.hasSuffix("ProviderOpenSSL") }, "a sample with a libcrypto frame is libcrypto's")
    }

    @Test func noSamplesIsAnErrorNotAnEmptyTable() async throws {
        let outcome = try await Self.decompose("", perSA: "80")
        #expect(outcome.status != 0)
        #expect(outcome.standardOutput.contains("no samples"), "\(outcome.standardOutput)")
    }
}
