internal import CProcessShims

#if canImport(Glibc)
import Glibc
#endif

extension ChildProcess {
    /// posix_spawn with the child's signal mask emptied and every signal's
    /// disposition reset, standard input from /dev/null, the output streams
    /// `command` asks for (`output`, `error`: our capture files) and no other
    /// descriptor of ours.
    static func spawn(path: String, command: Command, environment: [String: String],
                      output: Int32?, error: Int32?) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        func route(_ destination: Command.Destination, to stream: Int32, capture: Int32?) {
            switch destination {
            case .discard: posix_spawn_file_actions_addopen(&actions, stream, "/dev/null", O_WRONLY, 0)
            case .inherit: break
            case .capture: posix_spawn_file_actions_adddup2(&actions, capture!, stream)
            case .file(let file): posix_spawn_file_actions_addopen(&actions, stream, file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .sameAsStandardOutput:
                precondition(stream == 2, "only standard error can go the way of standard output")
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            }
        }
        route(command.standardOutput, to: 1, capture: output)
        route(command.standardError, to: 2, capture: error)
        // Nothing else of ours: not another child's capture file, not a socket of the test process.
        CProcessShims_addclosefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noneBlocked = sigset_t()
        sigemptyset(&noneBlocked)
        posix_spawnattr_setsigmask(&attributes, &noneBlocked)
        var allDefault = sigset_t()
        sigfillset(&allDefault)
        posix_spawnattr_setsigdefault(&attributes, &allDefault)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if command.leadsProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([path] + command.arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw Failure(description: "cannot run \(path): \(String(cString: strerror(result)))")
        }
        return pid
    }
}
