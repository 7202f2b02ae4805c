import ProcessSupport

/// Runs `openssl speed -mr` in the same run, for the reference column.
struct OpenSSLSpeedReference {
    let seconds: Int
    let threads: Int

    /// The per-second figures of one `openssl speed` algorithm: (sign/s, verify/s)
    /// for `rsa<bits>`, `ecdsap256`, `ecdsap384`, `ed25519`; (derive/s, nil) for
    /// `ecdhp256`, `ecdhx25519`. Nil when openssl is not there or says something else.
    func figures(_ algorithm: String) -> (first: Double, second: Double?)? {
        // -elapsed: per second of wall time, as our own lines count. Without it
        // openssl divides by the user CPU time it used, which leaves out the
        // kernel's and interrupts' share of the same seconds: on this machine,
        // pinned, ecdhp256 read 34.5k/s that way against 32.7k/s with -elapsed,
        // and a C loop of the same EVP_PKEY_derive calls timed by the wall
        // clock did 32.5k/s (docs/performance.md).
        var args = ["speed", "-elapsed", "-mr", "-seconds", String(seconds)]
        if threads > 1 { args += ["-multi", String(threads)] }
        args.append(algorithm)
        guard let output = run(args) else { return nil }
        // Machine-readable lines: +F2:<index>:<bits>:<sign/s>:<verify/s> (RSA),
        // +F4:… likewise (ECDSA), +F5:<index>:<bits>:<derive/s>:<s/op> (ECDH),
        // +F6:<index>:<bits>:<name>:<sign/s>:<verify/s> (EdDSA).
        for line in output.split(separator: "\n") where line.hasPrefix("+F") {
            let f = line.split(separator: ":").map(String.init)
            switch f[0] {
            case "+F2", "+F4":
                if f.count >= 5, let s = Double(f[3]), let v = Double(f[4]) { return (s, v) }
            case "+F5":
                if f.count >= 4, let d = Double(f[3]) { return (d, nil) }
            case "+F6":
                if f.count >= 6, let s = Double(f[4]), let v = Double(f[5]) { return (s, v) }
            default:
                continue
            }
        }
        return nil
    }

    private func run(_ arguments: [String]) -> String? {
        // The limit bounds the run should openssl misbehave: never a hang. openssl
        // leads a process group, so that ending it ends its -multi workers too.
        var command = Command("openssl", arguments)
        command.standardError = .discard
        command.leadsProcessGroup = true
        guard let result = try? ChildProcess.run(command, timeout: Double(max(60, seconds * 4 + 30))),
            result.termination == .exited(0)
        else {
            return nil
        }
        return result.standardOutput
    }
}
