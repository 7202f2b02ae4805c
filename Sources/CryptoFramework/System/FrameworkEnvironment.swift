import Foundation

/// Every environment variable the framework, its PKCS#11 module and its tools
/// read: the one list of their names, grammars and defaults. An empty value
/// counts as unset for every one of them.
///
/// Only the test harness reads others (`CRYPTOFRAMEWORK_CHILD_ASAN_*`,
/// `CRYPTOFRAMEWORK_PKCS11_MODULE`); they are named in ProcessSupport's
/// `TestEnvironment`.
public enum FrameworkEnvironment: String, CaseIterable, Sendable {
    /// The policy file (kcf.conf) of every framework built with
    /// ``PolicySource/default``. Grammar: a path. Default:
    /// `$XDG_CONFIG_HOME/cryptoframework/kcf.conf`, else
    /// `~/.config/cryptoframework/kcf.conf`. Read by ``PolicyStore/defaultURL(environment:)``:
    /// `cryptoadm` and `ikebench` without `--config`, and the PKCS#11 module.
    case conf = "CRYPTOFRAMEWORK_CONF"

    /// The platform the PKCS#11 module builds its framework on. Grammar: a
    /// platform name, `host` or `t2000`. Default: `host`. Read by the module
    /// at C_Initialize and by `cryptoadm list -v` (its metaslot status).
    case platform = "CRYPTOFRAMEWORK_PLATFORM"

    /// Whether the emulated t2000 and t5220 providers hold each result for its modeled
    /// time. Grammar: `fast`, `timed` (scale 1) or `timed:SCALE` (SCALE a
    /// finite number ≥ 0). Default: `fast`. Read by the t2000 platform when
    /// it is built without an explicit timing (EmulatedTiming.fromEnvironment);
    /// `ikebench --timing` takes the same grammar and, when given, wins.
    case timing = "CRYPTOFRAMEWORK_TIMING"

    /// sparcfp's what-if trap penalty: extra cycles per FP instruction, as if
    /// the T1's FPU were emulated in a trap handler. Grammar: a finite number
    /// ≥ 0. Default: 0, the published latencies. Read by the t2000 platform
    /// when it is built without an explicit chip; `ikebench --fp-trap-penalty`,
    /// when given, wins.
    case fpTrapPenalty = "CRYPTOFRAMEWORK_FP_TRAP_PENALTY"

    /// The PKCS#11 module's token keystore directory. Grammar: a path.
    /// Default: `$XDG_DATA_HOME/cryptoframework/keystore`, else
    /// `~/.local/share/cryptoframework/keystore`. Read by the module and by
    /// `cryptoadm list -v`.
    case keystore = "CRYPTOFRAMEWORK_KEYSTORE"

    /// Where every framework of the process publishes its kstats for
    /// `cryptoadm kstat` (made 0700 when missing). Grammar: a path. Default:
    /// none, nothing is published. Read by ``CryptoFramework/init(platform:policy:warn:kstatDirectory:)``
    /// (through ``KstatDirectory/fromEnvironment(_:)``) and by `cryptoadm kstat` without `--dir`.
    case kstatDirectory = "CRYPTOFRAMEWORK_KSTAT_DIR"

    /// Turns on the PKCS#11 module's trace: one line per operation (the
    /// provider that served it, failovers, host time). Grammar: `1` turns it
    /// on; any other value leaves it off. Default: off. Read by the module at C_Initialize.
    case trace = "CRYPTOFRAMEWORK_TRACE"

    /// The file the module's trace is appended to (created 0600). Grammar: a
    /// path. Default: standard error. Read by the module, only when
    /// ``trace`` is on.
    case traceFile = "CRYPTOFRAMEWORK_TRACE_FILE"

    /// The variable's name, `CRYPTOFRAMEWORK_…`.
    public var name: String { rawValue }

    /// The value `environment` gives the variable, or nil when it is unset or empty.
    public func value(in environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        value(lookup: { environment[$0] })
    }

    /// The value `lookup` gives the variable (e.g. getenv(3) at the moment of
    /// the call, for a module inside someone else's process), or nil when it is unset or empty.
    public func value(lookup: (String) -> String?) -> String? {
        guard let text = lookup(name), !text.isEmpty else { return nil }
        return text
    }

    /// The variable as a path, or nil when it is unset or empty.
    public func url(in environment: [String: String] = ProcessInfo.processInfo.environment, isDirectory: Bool = false) -> URL? {
        value(in: environment).map { URL(fileURLWithPath: $0, isDirectory: isDirectory) }
    }

    /// The variable's value as `parse` reads it, or nil when it is unset or
    /// empty. A value `parse` rejects is an error naming the variable and
    /// what was `expected`: a malformed setting is never silently ignored.
    public func parsed<Value>(
        in environment: [String: String] = ProcessInfo.processInfo.environment, expected: String,
        _ parse: (String) -> Value?
    ) throws -> Value? {
        guard let text = value(in: environment) else { return nil }
        guard let parsed = parse(text) else {
            throw CryptoError(.argumentsBad, "\(name)=\(text): expected \(expected)")
        }
        return parsed
    }
}
