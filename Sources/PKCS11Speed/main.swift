// pkcs11-speed: RSA-2048 sign and verify per second through the PKCS#11
// module from C (Benchmarks/PKCS11/pkcs11_speed.c) against the Swift API, on
// the same run: the two alternate for a few rounds and each keeps its best,
// so both see the same machine load. Both go through the registry under the
// same policy (CRYPTOFRAMEWORK_CONF …, platform host), with
// CKM_SHA256_RSA_PKCS over a 32-byte message. `make bench-pkcs11` runs it.
//
// Usage: pkcs11-speed CLIENT [--seconds S] [--rounds N]
//   CLIENT  the compiled pkcs11_speed C program (it loads the module itself)

import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import TextFormat

struct Options {
    var client = ""
    var seconds = 2.0
    var rounds = 3

    init(_ arguments: [String]) throws {
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--seconds": seconds = try Self.number(rest.popFirst(), argument)
            case "--rounds": rounds = Int(try Self.number(rest.popFirst(), argument))
            default: client = argument
            }
        }
        guard !client.isEmpty, seconds > 0, rounds > 0 else {
            throw CryptoError(.argumentsBad, "usage: pkcs11-speed CLIENT [--seconds S] [--rounds N]")
        }
    }

    private static func number(_ text: String?, _ flag: String) throws -> Double {
        guard let text, let value = Double(text) else { throw CryptoError(.argumentsBad, "\(flag) needs a number") }
        return value
    }
}

/// Operations per second of `body` run back to back for `seconds`.
func rate(seconds: Double, _ body: () throws -> Void) rethrows -> Double {
    let start = MonotonicClock.nanoseconds()
    func elapsed() -> Double { Double(MonotonicClock.nanoseconds() - start) / 1e9 }
    var count = 0
    repeat {
        try body()
        count += 1
    } while elapsed() < seconds
    return Double(count) / elapsed()
}

/// One run of the C client: its sign and verify rates.
func moduleRates(_ options: Options) throws -> (sign: Double, verify: Double) {
    var command = Command(options.client, [ModulePath.release, String(options.seconds)])
    command.standardError = .inherit
    let outcome = try ChildProcess.run(command, timeout: .infinity)
    var rates: [String: Double] = [:]
    for line in outcome.standardOutput.split(separator: "\n") {
        let fields = line.split(separator: " ")
        if fields.count == 2, let value = Double(fields[1]) { rates[String(fields[0])] = value }
    }
    guard outcome.termination == .exited(0), let sign = rates["sign"], let verify = rates["verify"] else {
        throw CryptoError(.deviceError, "the C client failed (\(outcome.termination)): \(outcome.standardOutput)")
    }
    return (sign, verify)
}

enum ModulePath {
    /// The release module next to this executable (both are in .build/release).
    static var release: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("libCryptoFrameworkPKCS11.so").path
    }
}

do {
    let options = try Options(CommandLine.arguments)
    let framework = try CryptoFramework(platform: .host, policy: .default)
    let key = try framework.generateRSAKeyPair(bits: 2048)
    let message = [UInt8](repeating: 7, count: 32)
    let signature = try framework.sign(.sha256RSAPKCS, key: key, data: message)
    var best = (swiftSign: 0.0, swiftVerify: 0.0, moduleSign: 0.0, moduleVerify: 0.0)
    for _ in 0..<options.rounds {
        best.swiftSign = max(best.swiftSign, try rate(seconds: options.seconds) { _ = try framework.sign(.sha256RSAPKCS, key: key, data: message) })
        best.swiftVerify = max(best.swiftVerify, try rate(seconds: options.seconds) {
            _ = try framework.verify(.sha256RSAPKCS, key: key.publicKey, data: message, signature: signature)
        })
        let module = try moduleRates(options)
        best.moduleSign = max(best.moduleSign, module.sign)
        best.moduleVerify = max(best.moduleVerify, module.verify)
    }
    let table = TextTable([.left(26), .right(12)], separator: "")
    func row(_ name: String, _ module: Double, _ swift: Double, _ target: String) -> String {
        table.row([name, String(format: "%.0f", module), String(format: "%.0f", swift), String(format: "%.2f", module / swift), target])
    }
    print("RSA-2048 CKM_SHA256_RSA_PKCS, best of \(options.rounds) rounds of \(options.seconds) s, platform host")
    print(table.row(["operation", "module (C)", "Swift API", "ratio", "target"]))
    print(row("sign", best.moduleSign, best.swiftSign, "≥ 0.90"))
    print(row("verify", best.moduleVerify, best.swiftVerify, ""))
} catch {
    StandardError.write("pkcs11-speed: \(error)\n")
    exit(1)
}
