import ArgumentParser
import CommandLineOptions
import CryptoFramework
import Foundation

struct KstatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kstat",
        abstract: "Show which providers served a running process's requests, and its devices' statistics.",
        usage: "cryptoadm kstat [provider=NAME] [pid=N] [--dir PATH] [--json]",
        discussion: """
            Solaris showed a provider's counters with kstat -m ncp. Here a process publishes its framework's \
            counters when it runs with \(FrameworkEnvironment.kstatDirectory.name) set (a PKCS#11 application such as charon, \
            or ikebench): the file DIR/<pid>.json, rewritten at most every 0.1 s and removed when the framework \
            goes away. This command reads the files of processes still running: per provider, the requests \
            it was sent, completed, failed over, and what it served (sign, verify, generateDHKeyPair, \
            deriveDH and the rest), then the provider's own statistics (ncp/0: per MAU submit, qfull, qbusy, nintr, \
            errors and state; per algorithm rsapublic, rsaprivate, dhgenerate, dhderive). With --json, the \
            documents as they are published: an array, one per process.

            EXAMPLES:
              \(FrameworkEnvironment.kstatDirectory.name)=/run/user/$UID/cf-kstat charon &
              cryptoadm kstat --dir /run/user/$UID/cf-kstat provider=ncp/0
            """)

    @Argument(help: ArgumentHelp("provider=NAME: only that provider; pid=N: only that process.", valueName: "operand"))
    var operands: [String] = []

    @Option(help: "The directory processes publish into. Default: $\(FrameworkEnvironment.kstatDirectory.name).")
    var dir: String?

    @OptionGroup var output: JSONOutputOption

    private var parsed: Operands {
        get throws { try Operands(parsing: operands, accepting: [.provider, .processID]) }
    }

    func validate() throws {
        _ = try parsed
        if dir == nil && KstatDirectory.fromEnvironment() == nil {
            throw ValidationError("no kstat directory: give --dir PATH or set \(FrameworkEnvironment.kstatDirectory.name).")
        }
    }

    func run() throws {
        let operands = try parsed
        let directory = dir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? KstatDirectory.fromEnvironment()!
        var documents = try KstatDirectory.read(directory)
        if let pid = operands.processID {
            documents = documents.filter { $0.pid == pid }
            guard !documents.isEmpty else { throw AdminFailure("no running process \(pid) has published kstats in \(directory.path).") }
        }
        if let name = operands.provider {
            documents = documents.compactMap { $0.only(provider: name) }
            guard !documents.isEmpty else { throw AdminFailure("no running process has published kstats of provider \(name) in \(directory.path).") }
        }
        if output.isOn {
            try JSONOutput.print(documents)
            return
        }
        print(documents.map(KstatText.render).joined(separator: "\n"), terminator: "")
    }
}

/// The text form of one process's kstats.
enum KstatText {
    static func render(_ d: KstatDocument) -> String {
        let time = Date(timeIntervalSince1970: d.updated).formatted(.iso8601.time(includingFractionalSeconds: true))
        var out = "pid \(d.pid) (\(d.program)), framework \(d.framework), platform \(d.platform), updated \(time)\n"
        for p in d.providers {
            let s = p.stats
            out += "\nprovider: \(p.name) (\(p.kind)\(p.active ? "" : ", inactive"))\n"
            out += "\trequests \(s.requests)  completed \(s.completed)  errors \(s.errors)  failovers \(s.failovers)"
                + "  check failures \(s.resultCheckFailures)  in flight \(s.inFlight)\n"
            let served = ServedOperation.allCases.compactMap { op in s.served[op.rawValue].map { "\(op.rawValue) \($0)" } }
            out += "\tserved: \(served.isEmpty ? "nothing" : served.joined(separator: "  "))\n"
            for k in p.kstats {
                let counters = k.counters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "  ")
                out += "\t\(k.name)\(k.state.map { " (\($0))" } ?? ""): \(counters)\n"
            }
        }
        return out
    }
}
