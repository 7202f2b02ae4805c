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
        /// For the current second, per operation (indexed as
        /// `IKEOperationName.allCases`) the providers that served it and how
        /// often. A short list scanned in place: a run has one or two
        /// providers per operation, and this is called for every operation of
        /// every SA, where a nested dictionary hashed the provider's name each time.
        var served = ServedCounts()
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
        state.withLock { $0.served.count(r.name, r.provider) }
    }

    public func negotiationDone() {
        state.withLock { $0.completed += 1; $0.negotiationsThisSecond += 1 }
    }

    private func everySecond() {
        let line: String? = state.withLock { s in
            s.second += 1
            defer { s.served.reset(); s.negotiationsThisSecond = 0 }
            guard perSecondLines, s.second >= Self.longRunSeconds || (s.duration ?? 0) >= Double(Self.longRunSeconds) else { return nil }
            let ops = IKEOperationName.allCases.compactMap { name -> String? in
                let providers = s.served.providers(of: name)
                guard !providers.isEmpty else { return nil }
                let who = providers.sorted { $0.provider < $1.provider }
                    .map { providers.count == 1 ? $0.provider : "\($0.provider)×\($0.count)" }.joined(separator: ",")
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

/// Per operation, the providers that served it and how often (a
/// ``LiveDisplay``'s second). Keeps its arrays' storage across `reset`.
struct ServedCounts {
    private static let operations = IKEOperationName.allCases
    private var lists = [[(provider: String, count: Int)]](repeating: [], count: operations.count)

    mutating func count(_ name: IKEOperationName, _ provider: String) {
        guard let index = Self.operations.firstIndex(of: name) else { return }
        if let at = lists[index].firstIndex(where: { $0.provider == provider }) {
            lists[index][at].count += 1
        } else {
            lists[index].append((provider, 1))
        }
    }

    func providers(of name: IKEOperationName) -> [(provider: String, count: Int)] {
        guard let index = Self.operations.firstIndex(of: name) else { return [] }
        return lists[index]
    }

    mutating func reset() {
        for index in lists.indices { lists[index].removeAll(keepingCapacity: true) }
    }
}
