// pkcs11-speed: public-key operations per second and AES-128-GCM MB/s through
// PKCS#11 modules from C (Benchmarks/PKCS11/pkcs11_speed.c): the framework's
// module and SoftHSM2 (a scratch token of its own), side by side with the
// Swift API, in the same run: the three alternate for a few rounds and each
// keeps its best per row, so all see the same machine load. The module and the
// Swift API go through the registry under the same policy
// (CRYPTOFRAMEWORK_CONF …, platform host). `make bench-pkcs11` runs it.
//
// Rows: RSA-2048 CKM_SHA256_RSA_PKCS sign and verify and CKM_SHA256_RSA_PKCS_PSS
// sign over a 32-byte message; CKM_ECDSA P-256 sign and verify over a 32-byte
// hash; CKM_ECDH1_DERIVE P-256 (the module rows create and destroy the derived
// key object, the Swift row returns the bytes); AES-128-GCM encryption of 64 KiB
// per call. A row a module does not offer is printed as absent.
//
// Usage: pkcs11-speed CLIENT [--seconds S] [--rounds N] [--softhsm PATH | --no-softhsm]
//   CLIENT  the compiled pkcs11_speed C program (it loads the modules itself)

import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import TextFormat

struct Options {
    var client = ""
    var seconds = 1.0
    var rounds = 3
    var softhsm: String? = "/usr/lib/softhsm/libsofthsm2.so"

    init(_ arguments: [String]) throws {
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--seconds": seconds = try Self.number(rest.popFirst(), argument)
            case "--rounds": rounds = Int(try Self.number(rest.popFirst(), argument))
            case "--softhsm":
                guard let path = rest.popFirst() else { throw CryptoError(.argumentsBad, "--softhsm needs the path of libsofthsm2.so") }
                softhsm = path
            case "--no-softhsm": softhsm = nil
            default: client = argument
            }
        }
        guard !client.isEmpty, seconds > 0, rounds > 0 else {
            throw CryptoError(.argumentsBad, "usage: pkcs11-speed CLIENT [--seconds S] [--rounds N] [--softhsm PATH | --no-softhsm]")
        }
    }

    private static func number(_ text: String?, _ flag: String) throws -> Double {
        guard let text, let value = Double(text) else { throw CryptoError(.argumentsBad, "\(flag) needs a number") }
        return value
    }
}

/// The rows, in the C client's names, with their unit.
let rows: [(name: String, label: String, unit: String)] = [
    ("rsa2048-pkcs1-sign", "RSA-2048 PKCS#1 v1.5 sign", "ops/s"),
    ("rsa2048-pkcs1-verify", "RSA-2048 PKCS#1 v1.5 verify", "ops/s"),
    ("rsa2048-pss-sign", "RSA-2048 PSS sign", "ops/s"),
    ("ecdsa-p256-sign", "ECDSA P-256 sign", "ops/s"),
    ("ecdsa-p256-verify", "ECDSA P-256 verify", "ops/s"),
    ("ecdh-p256-derive", "ECDH P-256 derive", "ops/s"),
    ("aes128-gcm", "AES-128-GCM encrypt", "MB/s"),
]

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

/// One run of the C client on `module`: its rows (nil for a row it reports absent).
func clientRates(_ options: Options, module: String, login: (slot: String, pin: String)?, environment: [String: String] = [:]) throws -> [String: Double?] {
    var arguments = [module, String(options.seconds)]
    if let login { arguments += [login.slot, login.pin] }
    var command = Command(options.client, arguments, environment: environment)
    command.standardError = .inherit
    let outcome = try ChildProcess.run(command, timeout: .infinity)
    guard outcome.termination == .exited(0) else {
        throw CryptoError(.deviceError, "the C client failed on \(module) (\(outcome.termination)): \(outcome.standardOutput)")
    }
    var rates: [String: Double?] = [:]
    for line in outcome.standardOutput.split(separator: "\n") {
        let fields = line.split(separator: " ").map(String.init)
        guard fields.count == 2 else { continue }
        rates[fields[0]] = fields[1] == "absent" ? .some(nil) : Double(fields[1])
    }
    return rates
}

enum ModulePath {
    /// The release module next to this executable (both are in .build/release).
    static var release: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("libCryptoFrameworkPKCS11.so").path
    }
}

/// A SoftHSM2 token in a scratch directory (its own softhsm2.conf), removed at the end.
struct SoftHSMToken {
    let directory: URL
    let slot: String
    var environment: [String: String] { ["SOFTHSM2_CONF": directory.appendingPathComponent("softhsm2.conf").path] }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pkcs11-speed-softhsm-\(getpid())")
        let tokens = directory.appendingPathComponent("tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        try "directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(to: directory.appendingPathComponent("softhsm2.conf"), atomically: true, encoding: .utf8)
        var command = Command("/usr/bin/softhsm2-util", ["--init-token", "--free", "--label", "bench", "--so-pin", "87654321", "--pin", "123456"],
                              environment: ["SOFTHSM2_CONF": directory.appendingPathComponent("softhsm2.conf").path])
        command.preloadsSanitizerRuntime = false
        let output = try ChildProcess.check(command)
        // "The token has been initialized and is reassigned to slot N"
        guard let last = output.split(whereSeparator: \.isWhitespace).last, UInt(last) != nil else {
            throw CryptoError(.deviceError, "softhsm2-util said no slot: \(output)")
        }
        slot = String(last)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// The Swift API's rate for each row (nil when the framework does not serve it).
func swiftRates(_ framework: CryptoFramework, seconds: Double) throws -> [String: Double?] {
    let message = [UInt8](repeating: 7, count: 32)
    let rsa = try framework.generateRSAKeyPair(bits: 2048)
    let signature = try framework.sign(.sha256RSAPKCS, key: rsa, data: message)
    let pss = PSSParameters(hash: .sha256, saltLength: 32)
    let ec = try framework.generateECKeyPair(curve: .p256)
    let peer = try framework.generateECKeyPair(curve: .p256)
    guard let ecPublic = ec.publicKey, let peerPoint = peer.publicKey?.point else {
        throw CryptoError(.deviceError, "a generated P-256 key came without its public key")
    }
    let ecSignature = try framework.sign(.ecdsa, key: ec, data: message)
    var rates: [String: Double?] = [:]
    rates["rsa2048-pkcs1-sign"] = try rate(seconds: seconds) { _ = try framework.sign(.sha256RSAPKCS, key: rsa, data: message) }
    rates["rsa2048-pkcs1-verify"] = try rate(seconds: seconds) {
        _ = try framework.verify(.sha256RSAPKCS, key: rsa.publicKey, data: message, signature: signature)
    }
    rates["rsa2048-pss-sign"] = try rate(seconds: seconds) { _ = try framework.sign(.sha256RSAPKCSPSS, key: rsa, data: message, pss: pss) }
    rates["ecdsa-p256-sign"] = try rate(seconds: seconds) { _ = try framework.sign(.ecdsa, key: ec, data: message) }
    rates["ecdsa-p256-verify"] = try rate(seconds: seconds) {
        _ = try framework.verify(.ecdsa, key: ecPublic, data: message, signature: ecSignature)
    }
    rates["ecdh-p256-derive"] = try rate(seconds: seconds) { _ = try framework.deriveECDH(privateKey: ec, peerPublicValue: peerPoint) }
    // AES-128-GCM: the row stays absent until the framework serves CKM_AES_GCM through this call.
    let chunk = [UInt8](repeating: 0, count: 65536)
    let key = SecureBytes(Array(repeating: 0x42, count: 16))
    if let gcm = Mechanism(name: "CKM_AES_GCM"),
       (try? framework.encrypt(gcm, key: key, iv: Array(repeating: 9, count: 12), data: chunk)) != nil {
        rates["aes128-gcm"] = try rate(seconds: seconds) {
            _ = try framework.encrypt(gcm, key: key, iv: Array(repeating: 9, count: 12), data: chunk)
        } * Double(chunk.count) / 1e6
    } else {
        rates["aes128-gcm"] = .some(nil)
    }
    return rates
}

/// `best` with each row of `new` kept where it is higher.
func keepBest(_ best: inout [String: Double?], _ new: [String: Double?]) {
    for (name, value) in new {
        guard let value else { if best[name] == nil { best[name] = .some(nil) }; continue }
        best[name] = max((best[name] ?? nil) ?? 0, value)
    }
}

do {
    let options = try Options(CommandLine.arguments)
    let framework = try CryptoFramework(platform: .host, policy: .default)
    var softhsm: SoftHSMToken? = nil
    if let path = options.softhsm {
        if FileManager.default.fileExists(atPath: path) {
            softhsm = try SoftHSMToken()
        } else {
            print("SoftHSM2 (\(path)) is not installed: its column stays empty (make deps installs softhsm2)")
        }
    }
    defer { softhsm?.remove() }
    var module: [String: Double?] = [:], reference: [String: Double?] = [:], swift: [String: Double?] = [:]
    for _ in 0..<options.rounds {
        keepBest(&swift, try swiftRates(framework, seconds: options.seconds))
        keepBest(&module, try clientRates(options, module: ModulePath.release, login: nil))
        if let softhsm, let path = options.softhsm {
            keepBest(&reference, try clientRates(options, module: path, login: (softhsm.slot, "123456"), environment: softhsm.environment))
        }
    }
    let table = TextTable([.left(36), .right(12), .right(14), .right(11), .right(11), .right(8)], separator: " ")
    func figure(_ value: Double??) -> String {
        guard let value else { return "-" }
        guard let value else { return "absent" }
        return String(format: value < 100 ? "%.1f" : "%.0f", value)
    }
    func ratio(_ a: Double??, _ b: Double??) -> String {
        guard let a = a ?? nil, let b = b ?? nil, b > 0 else { return "-" }
        return String(format: "%.2f", a / b)
    }
    print("One C client (pkcs11_speed) on each module, best of \(options.rounds) rounds of \(options.seconds) s per row, platform host")
    print(table.row(["operation", "module (C)", "SoftHSM2 (C)", "Swift API", "÷SoftHSM2", "÷Swift"]))
    for row in rows {
        print(table.row(["\(row.label) (\(row.unit))", figure(module[row.name]), figure(reference[row.name]), figure(swift[row.name]),
                         ratio(module[row.name], reference[row.name]), ratio(module[row.name], swift[row.name])]))
    }
    print("targets: module ≥ 1.0× SoftHSM2 in every row; ≥ 0.9× the Swift API in the public-key rows")
} catch {
    StandardError.write("pkcs11-speed: \(error)\n")
    exit(1)
}
