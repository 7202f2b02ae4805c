import Foundation
import ProcessSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The process layer on ordinary tools (sh, cat, sleep): capture, signal
/// state, time limits and ending by pid.
@Suite("Child processes")
struct ChildProcessTests {
    @Test("standard output and error are captured apart or together, in the order written")
    func capture() async throws {
        let script = "echo out; echo err >&2; echo out2; exit 3"
        var apart = Command("/bin/sh", ["-c", script])
        apart.standardError = .capture
        let separate = try await ChildProcess.run(apart)
        #expect(separate.termination == .exited(3))
        #expect(separate.standardOutput == "out\nout2\n")
        #expect(separate.standardError == "err\n")

        let together = try Self.runBlocking(Command("/bin/sh", ["-c", script]))
        #expect(together.standardOutput == "out\nerr\nout2\n")
        #expect(together.standardError.isEmpty)
        #expect(!together.timedOut)
    }

    /// The synchronous form (an async caller would get the async overload).
    static func runBlocking(_ command: Command, timeout: Double = 120) throws -> ChildProcess.Outcome {
        try ChildProcess.run(command, timeout: timeout)
    }

    @Test("the environment is ours with the additions; a name without a slash is found in $PATH")
    func environment() throws {
        var command = Command("sh", ["-c", "echo \"$CF_ADDED:${HOME:+home}:${CF_REMOVED:-gone}\""], environment: ["CF_ADDED": "yes", "CF_REMOVED": "x"])
        command.environment["CF_REMOVED"] = nil
        #expect(try ChildProcess.check(command) == "yes:home:gone\n")
        #expect(throws: ChildProcess.Failure.self) { try ChildProcess(Command("cf-no-such-tool-\(getpid())")) }
        #expect(throws: ChildProcess.Failure.self) { try ChildProcess.check(Command("/bin/sh", ["-c", "exit 1"])) }
    }

    /// SigBlk and SigIgn of a line of /proc/PID/status, as a bit set.
    static func signalSet(_ status: String, _ field: String) -> UInt64? {
        status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
            .flatMap { UInt64($0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
    }

    @Test("a child blocks and ignores no signal, whatever the spawning thread blocked and the process ignored")
    func signalStateReset() async throws {
        // This process ignores SIGPIPE (the Swift runtime's doing); the spawning thread blocks SIGTERM and SIGINT.
        let outcome = try await DedicatedThread.run(name: "spawner") {
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGTERM)
            sigaddset(&blocked, SIGINT)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            return try ChildProcess.run(Command("/bin/cat", ["/proc/self/status"]))
        }
        #expect(Self.signalSet(outcome.standardOutput, "SigBlk") == 0, "\(outcome)")
        // Signals 32 and 33 are glibc's own (SIGCANCEL, SIGSETXID): posix_spawn leaves them ignored, no program sees them.
        let glibcInternal = UInt64(0b11) << 31
        #expect(Self.signalSet(outcome.standardOutput, "SigIgn").map { $0 & ~glibcInternal } == 0, "\(outcome)")
    }

    @Test("a child that outlives its time limit is ended, in the sync and the async form")
    func timeLimit() async throws {
        // An hour: however late a busy pool lets the async limit act, it acts before sleep's end.
        let sync = try Self.runBlocking(Command("/bin/sleep", ["3600"]), timeout: 0.2)
        #expect(sync.timedOut)
        #expect(sync.termination == .signalled(SIGTERM))
        let async = try await ChildProcess.run(Command("/bin/sleep", ["3600"]), timeout: 0.2)
        #expect(async.timedOut)
        #expect(async.termination == .signalled(SIGTERM))
    }

    @Test("terminate: SIGTERM, then SIGKILL after the grace period for a child that ignores SIGTERM; the pid is reaped")
    func terminateEscalates() async throws {
        let child = try ChildProcess(Command("/bin/sh", ["-c", "trap '' TERM; exec sleep 3600"]))
        // Wait (bounded) until SIGTERM is ignored, so the test does not race the trap.
        let sigterm = UInt64(1) << (SIGTERM - 1)
        #expect(try await Polling.until {
            let status = (try? String(contentsOfFile: "/proc/\(child.pid)/status", encoding: .utf8)) ?? ""
            return (Self.signalSet(status, "SigIgn") ?? 0) & sigterm != 0 && status.contains("Name:\tsleep")
        })
        #expect(child.terminate(grace: 0.2) == .signalled(SIGKILL))
        #expect(!child.isRunning)
        #expect(kill(child.pid, 0) != 0 && errno == ESRCH, "pid \(child.pid) was not reaped")
        #expect(child.terminate() == .signalled(SIGKILL), "ending an ended child changes nothing")
    }

    @Test("a child leading its process group is ended with its own children")
    func processGroup() async throws {
        // An hour: however late a busy machine lets the test look, sleep has not ended on its own.
        var command = Command("/bin/sh", ["-c", "sleep 3600 & echo $!; wait"])
        command.leadsProcessGroup = true
        let child = try ChildProcess(command)
        let grandchild = try #require(try await Polling.value { Int32(child.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) })
        #expect(child.terminate() == .signalled(SIGTERM))
        // Gone, or a zombie waiting for whoever adopted it to reap it.
        #expect(try await Polling.until {
            let status = (try? String(contentsOfFile: "/proc/\(grandchild)/status", encoding: .utf8)) ?? ""
            return status.isEmpty || status.contains("State:\tZ")
        }, "sleep (pid \(grandchild)) outlived its group's leader")
    }

    @Test("exited() waits holding no thread; output written to a file is there after the exit")
    func asyncExitAndFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cf-child-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        var command = Command("/bin/sh", ["-c", "echo to-file; echo also >&2"])
        command.standardOutput = .file(file.path)
        let child = try ChildProcess(command)
        #expect(await child.exited() == .exited(0))
        #expect(try String(contentsOf: file, encoding: .utf8) == "to-file\nalso\n")
        #expect(child.standardOutput.isEmpty)
    }
}
