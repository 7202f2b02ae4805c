import ArgumentParser
import CryptoFramework
import Foundation
import IKECore
import Providers

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Solve for the sparcfp FP penalty that reproduces a measured Phase I time.",
        discussion: """
            The workload is one real negotiation's responder operations (the four public-key \
            operations and every PRF, hash and cipher request with its size). The modeled time \
            is linear in the per-FP-instruction trap penalty, so one measurement fixes it.

            Example:
              ikebench calibrate --measured 7.73
            """)

    @Option(help: "The measured Phase I responder time in seconds (7.73: the 2007 T2000 without ncp).")
    var measured: Double = Published2007.withoutNCPSeconds

    @Option(name: .customLong("rsa-bits"), help: "RSA modulus of the signature keys.")
    var rsaBits: Int = Defaults2007.rsaBits

    @Option(help: "Oakley/MODP group: 1, 2, 5, 14, 15 or 16.")
    var group: Int = Defaults2007.group

    @Option(help: "sha1 or sha256.")
    var prf: String = Defaults2007.prf

    @Option(help: "aes128 or 3des.")
    var cipher: String = Defaults2007.cipher

    func validate() throws {
        guard measured > 0, measured < 3600 else { throw ValidationError("--measured must be in (0, 3600) seconds") }
        guard [1, 2, 5, 14, 15, 16].contains(group) else { throw ValidationError("--group \(group): use 1, 2, 5, 14, 15 or 16") }
        guard IKESuite.PRF(rawValue: prf) != nil else { throw ValidationError("--prf \(prf): use sha1 or sha256") }
        guard IKESuite.Cipher(rawValue: cipher) != nil else { throw ValidationError("--cipher \(cipher): use aes128 or 3des") }
        guard (512...4096).contains(rsaBits) else { throw ValidationError("--rsa-bits \(rsaBits) is outside 512...4096") }
    }

    func run() async throws {
        let suite = IKESuite(group: DHGroup.ike(group)!, prf: IKESuite.PRF(rawValue: prf)!, cipher: IKESuite.Cipher(rawValue: cipher)!)
        let result = try await PhaseOneCalibration.solve(measuredSeconds: measured, suite: suite, rsaBits: rsaBits)
        print("workload: one Phase I responder, RSA-\(rsaBits), group \(group), \(cipher)/\(prf)")
        print(result.description)
        print(Published2007.line)
    }
}
