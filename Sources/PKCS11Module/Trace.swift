import CryptoFramework

#if canImport(Glibc)
import Glibc
#endif

/// What the module writes about itself, only when asked: with
/// ``FrameworkEnvironment/trace`` set to `1`, one line per operation (which provider served
/// it, failovers, host time) to stderr, or appended to
/// ``FrameworkEnvironment/traceFile`` when that is set. Otherwise the module is silent.
struct Trace: Sendable {
    /// The descriptor lines go to, or nil when tracing is off.
    let descriptor: Int32?
    private let ownsDescriptor: Bool

    init(environment get: (String) -> String?) {
        guard FrameworkEnvironment.trace.value(lookup: get) == "1" else {
            descriptor = nil
            ownsDescriptor = false
            return
        }
        if let path = FrameworkEnvironment.traceFile.value(lookup: get) {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            descriptor = fd >= 0 ? fd : nil
            ownsDescriptor = fd >= 0
        } else {
            descriptor = 2
            ownsDescriptor = false
        }
    }

    var isOn: Bool { descriptor != nil }

    /// One line for a served operation, from the registry's report.
    func served(_ function: String, _ report: OperationReport) {
        guard isOn else { return }
        var line = "\(function) \(report.mechanism.name) \(report.operation) by \(report.provider) in \(report.hostNanoseconds) ns"
        if let halves = report.composedWith {
            // Selection rule 6: name both halves.
            line += " (composed: \(halves.rawMechanism.name) by \(report.provider), \(halves.digestMechanism.name) by \(halves.digestProvider))"
        }
        if let modeled = report.modeledSeconds { line += ", modeled \(Int((modeled * 1e9).rounded())) ns" }
        for (provider, error) in report.failovers { line += "; failed over from \(provider): \(error)" }
        note(line)
    }

    /// One line for a hash-and-sign mechanism fed in parts (the digest
    /// streamed, then the raw request): named as the application asked, with
    /// both halves, as Selection rule 6's composed requests are.
    func servedPrehashed(_ function: String, _ mechanism: Mechanism, raw: OperationReport, digest: OperationReport) {
        guard isOn else { return }
        var line = "\(function) \(mechanism.name) \(raw.operation) by \(raw.provider) in \(raw.hostNanoseconds &+ digest.hostNanoseconds) ns"
        line += " (composed: \(raw.mechanism.name) by \(raw.provider), \(digest.mechanism.name) by \(digest.provider))"
        let modeled = (raw.modeledSeconds ?? 0) + (digest.modeledSeconds ?? 0)
        if raw.modeledSeconds != nil || digest.modeledSeconds != nil { line += ", modeled \(Int((modeled * 1e9).rounded())) ns" }
        for (provider, error) in raw.failovers { line += "; failed over from \(provider): \(error)" }
        note(line)
    }

    func note(_ text: String) {
        guard let descriptor else { return }
        var line = "cryptoframework-pkcs11[\(getpid())]: \(text)\n"
        line.withUTF8 { buffer in _ = write(descriptor, buffer.baseAddress, buffer.count) }
    }

    func close() {
        if ownsDescriptor, let descriptor { Glibc.close(descriptor) }
    }
}
