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
        // `timeout` bounds the run should openssl misbehave: never a hang.
        let limit = String(max(60, seconds * 4 + 30))
        guard let result = ChildProcess.output(["timeout", limit, "openssl"] + arguments), result.status == 0 else {
            return nil
        }
        return result.output
    }
}
