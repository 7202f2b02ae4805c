import Foundation
import SystemPrimitives

internal import CProcessShims

#if canImport(Glibc)
import Glibc
#endif

/// Reaps one child on a thread of its own and tells whoever waits for it:
/// a thread blocked in ``wait(until:)`` (through a pipe whose write end closes
/// at the exit, so a bounded wait is a poll(2) with a timeout, no sleeping
/// loop) and a task suspended in ``exited()``.
///
/// The pid stays valid for kill(2) until ``termination`` is set: the reaper
/// first waits without reaping (WNOWAIT), then reaps under the lock that
/// ``signal(_:group:)`` takes, so a signal never reaches a recycled pid.
final class ExitWatch: Sendable {
    private struct State {
        var termination: Termination?
        var waiters: [CheckedContinuation<Termination, Never>] = []
    }

    let pid: pid_t
    private let state = Locked(State())
    /// Read end: readable (end of file) once the child is reaped. Closed in deinit.
    private let exitRead: Int32
    /// Write end: closed by the reaper after the exit.
    private let exitWrite: Int32

    init(pid: pid_t) throws {
        self.pid = pid
        var fds: [Int32] = [0, 0]
        guard CProcessShims_pipe_cloexec(&fds) == 0 else {
            let error = errno
            // Not watched, the child would never be reaped: end it here.
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            throw ChildProcess.Failure(description: "pipe2 for pid \(pid): \(String(cString: strerror(error)))")
        }
        exitRead = fds[0]
        exitWrite = fds[1]
        let reaper = Thread { [self] in reap() }
        reaper.name = "reaper \(pid)"
        reaper.start()
    }

    deinit { close(exitRead) }

    private func reap() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        let (termination, waiters) = state.withLock { s in
            var status: Int32 = 0
            var reaped: pid_t
            repeat { reaped = waitpid(pid, &status, 0) } while reaped < 0 && errno == EINTR
            // -1 only if someone else reaped it (waitpid(-1) elsewhere): its status is lost.
            let termination = reaped == pid ? Termination(waitStatus: status) : .exited(-1)
            s.termination = termination
            defer { s.waiters = [] }
            return (termination, s.waiters)
        }
        close(exitWrite)
        for waiter in waiters { waiter.resume(returning: termination) }
    }

    var termination: Termination? { state.withLock { $0.termination } }

    /// Sends `number` to the child (to its process group with `group`) while it is not reaped.
    func signal(_ number: Int32, group: Bool) {
        state.withLock { s in
            if s.termination == nil { kill(group ? -pid : pid, number) }
        }
    }

    /// Blocks the calling thread until the child has exited or `deadline` passed (nil: no bound).
    func wait(until deadline: Deadline?) -> Termination? {
        while true {
            if let termination { return termination }
            var milliseconds: Int32 = -1
            if let deadline {
                let left = deadline.nanosecondsLeft
                if left == 0 { return nil }
                milliseconds = Int32(clamping: (left + 999_999) / 1_000_000)
            }
            var descriptor = pollfd(fd: exitRead, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, milliseconds)  // EINTR, or the end: the loop looks again
        }
    }

    /// Suspends the calling task, holding no thread, until the child has exited.
    func exited() async -> Termination {
        await withCheckedContinuation { waiter in
            let done = state.withLock { s -> Termination? in
                if let termination = s.termination { return termination }
                s.waiters.append(waiter)
                return nil
            }
            if let done { waiter.resume(returning: done) }
        }
    }
}
