import ProcessSupport

/// Runs `openssl speed -mr` in the same run, for the reference column.
struct OpenSSLSpeedReference {
    let seconds: Int
    let threads: Int

    /// sign/s and verify/s for `rsa<bits>`, or nil when openssl is not there or says something else.
    func rsa(bits: Int) -> (sign: Double, verify: Double)? {
        var args = ["speed", "-mr", "-seconds", String(seconds)]
        if threads > 1 { args += ["-multi", String(threads)] }
        args.append("rsa\(bits)")
        guard let output = run(args) else { return nil }
        // Machine-readable RSA line: +F2:<index>:<bits>:<sign/s>:<verify/s>
        for line in output.split(separator: "\n") where line.hasPrefix("+F2:") {
            let f = line.split(separator: ":")
            guard f.count >= 5, Int(f[2]) == bits, let s = Double(f[3]), let v = Double(f[4]) else { continue }
            return (s, v)
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
