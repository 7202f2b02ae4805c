import Foundation

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
