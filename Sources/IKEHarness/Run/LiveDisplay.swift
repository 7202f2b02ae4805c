import CryptoFramework
import IKEProtocol
import Foundation
import Synchronization

/// What a long run shows while it runs: a progress bar (only when stdout is a
/// terminal) and, every second, a line naming the provider that served each
/// operation in that second — so a `cryptoadm disable provider=ncp/0 all`
/// made in another terminal shows up the second it takes effect.
public final class LiveDisplay: Sendable {
    struct State {
        var completed = 0
        var total: Int?
        var duration: Double?
        var second = 0
        var negotiationsThisSecond = 0
        /// operation → provider → count, for the current second.
        var served: [IKEOperationName: [String: Int]] = [:]
        var barShown = false
    }

    private let state = Locked(State())
    private let ticker = Locked<Task<Void, Never>?>(nil)
    /// Progress bar on stdout (a terminal).
    let showProgress: Bool
    /// Per-second lines; written to `lines`.
    let perSecondLines: Bool
    let lines: FileHandle
    /// Runs this short print no per-second lines (they would be noise).
    static let longRunSeconds = 2

    public init(progress: Bool, perSecondLines: Bool, lines: FileHandle) {
        self.showProgress = progress
        self.perSecondLines = perSecondLines
        self.lines = lines
    }

    /// Progress only when stdout is a terminal; lines to stderr with --json.
    public static func forTerminal(json: Bool) -> LiveDisplay {
        LiveDisplay(progress: !json && isatty(STDOUT_FILENO) == 1, perSecondLines: true,
                    lines: json ? .standardError : .standardOutput)
    }

    public func start(total: Int?, duration: Double?) {
        state.withLock {
            $0 = State()
            $0.total = total
            $0.duration = duration
        }
        let task = Task { [self] in
            var tick = 0
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 250_000_000)
                tick += 1
                if tick % 4 == 0 { everySecond() }
                if showProgress { drawBar() }
            }
        }
        ticker.withLock { $0 = task }
    }

    public func stop() {
        ticker.withLock { $0?.cancel(); $0 = nil }
        if showProgress { clearBar() }
    }

    public func observe(_ r: IKEOperationRecord) {
        state.withLock { $0.served[r.name, default: [:]][r.provider, default: 0] += 1 }
    }

    public func negotiationDone() {
        state.withLock { $0.completed += 1; $0.negotiationsThisSecond += 1 }
    }

    private func everySecond() {
        let line: String? = state.withLock { s in
            s.second += 1
            defer { s.served = [:]; s.negotiationsThisSecond = 0 }
            guard perSecondLines, s.second >= Self.longRunSeconds || (s.duration ?? 0) >= Double(Self.longRunSeconds) else { return nil }
            let ops = IKEOperationName.allCases.compactMap { name -> String? in
                guard let providers = s.served[name] else { return nil }
                let who = providers.sorted { $0.key < $1.key }
                    .map { providers.count == 1 ? $0.key : "\($0.key)×\($0.value)" }.joined(separator: ",")
                return "\(name.rawValue)=\(who)"
            }
            return String(format: "[%4ds] %4d negotiations  ", s.second, s.negotiationsThisSecond) + ops.joined(separator: " ")
        }
        guard let line else { return }
        if showProgress { clearBar() }
        lines.write(Data((line + "\n").utf8))
    }

    private func drawBar() {
        let text: String = state.withLock { s in
            s.barShown = true
            let width = 30
            if let total = s.total, total > 0 {
                let filled = min(width, s.completed * width / total)
                return "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                    + "] \(s.completed)/\(total)"
            }
            return "\r\(s.completed) negotiations, \(s.second) s"
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private func clearBar() {
        let shown = state.withLock { s -> Bool in defer { s.barShown = false }; return s.barShown }
        if shown { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
    }
}
