import ArgumentParser
import CryptoFramework
import IKEProtocol
import IKEHarness
import Providers

/// Key sizes: `--rsa-bits` and `--group`, one each for a negotiation (run,
/// compare, calibrate, retell), one or more for the sizes speed measures.
struct KeySizeOptions: ParsableArguments {
    @Option(name: .customLong("rsa-bits"), parsing: .upToNextOption,
            help: ArgumentHelp("RSA modulus size of both sides' signature keys (speed: one or more sizes to measure).",
                               valueName: "bits"))
    var rsaBits: [Int] = []

    @Option(name: .customLong("group"), parsing: .upToNextOption,
            help: ArgumentHelp("Oakley/MODP group of the DH exchange: 1, 2, 5, 14, 15 or 16 (speed: one or more groups to measure).",
                               valueName: "number"))
    var groups: [Int] = []

    func validate() throws {
        for bits in rsaBits where !(512...16384).contains(bits) {
            throw ValidationError("--rsa-bits \(bits) is outside 512...16384")
        }
        for g in groups where DHGroup.ike(g) == nil {
            throw ValidationError("--group \(g): not an IKE MODP group (1, 2, 5, 14, 15, 16, 17, 18)")
        }
    }
}

/// What one negotiation negotiates: the options `run`, `compare`, `calibrate`
/// and `retell` share. RSA size, group and DH private length are optional so
/// each command can say what it defaults to (`run`: Solaris 10's defaults;
/// `compare` and `retell`: the configuration judged most plausible for 2007;
/// `calibrate`: every one).
struct NegotiatedSuiteOptions: ParsableArguments {
    @OptionGroup var keySizes: KeySizeOptions

    @Option(name: .customLong("dh-private"),
            help: "The responder's DH private value: full (as long as the prime, Solaris softtoken without CKA_VALUE_BITS) or short (twice the group's strength, RFC 3526).")
    var dhPrivate: String?

    @Option(help: "The negotiated hash, whose HMAC is the PRF: sha1 or sha256.")
    var prf: String = Defaults2007.prf

    @Option(help: "The Phase I cipher: aes128, aes256 or 3des.")
    var cipher: String = Defaults2007.cipher

    func validate() throws {
        guard keySizes.rsaBits.count <= 1, keySizes.groups.count <= 1 else {
            throw ValidationError("a negotiation takes one --rsa-bits and one --group (ikebench speed measures several)")
        }
        if let group, ![1, 2, 5, 14, 15, 16].contains(group) {
            throw ValidationError("--group \(group): use 1, 2, 5, 14, 15 or 16")
        }
        if let dhPrivate, DHPrivateValueLength(rawValue: dhPrivate) == nil {
            throw ValidationError("--dh-private \(dhPrivate): use full or short")
        }
        guard IKESuite.PRF(rawValue: prf) != nil else { throw ValidationError("--prf \(prf): use sha1 or sha256") }
        guard IKESuite.Cipher(rawValue: cipher) != nil else { throw ValidationError("--cipher \(cipher): use aes128, aes256 or 3des") }
        if let rsaBits, !(512...4096).contains(rsaBits) { throw ValidationError("--rsa-bits \(rsaBits) is outside 512...4096") }
    }

    var rsaBits: Int? { keySizes.rsaBits.first }
    var group: Int? { keySizes.groups.first }
    var dhPrivateLength: DHPrivateValueLength? { dhPrivate.flatMap(DHPrivateValueLength.init(rawValue:)) }

    /// The configuration these options pick, each unset part from `fallback`.
    func configuration(default fallback: Configuration2007) -> Configuration2007 {
        Configuration2007(rsaBits: rsaBits ?? fallback.rsaBits, group: group ?? fallback.group,
                          dhPrivate: dhPrivateLength ?? fallback.dhPrivate)
    }

    /// Whether `c` matches every option given (for filtering the table).
    func matches(_ c: Configuration2007) -> Bool {
        (rsaBits ?? c.rsaBits) == c.rsaBits && (group ?? c.group) == c.group && (dhPrivateLength ?? c.dhPrivate) == c.dhPrivate
    }

    var prfValue: IKESuite.PRF { IKESuite.PRF(rawValue: prf)! }
    var cipherValue: IKESuite.Cipher { IKESuite.Cipher(rawValue: cipher)! }

    /// The suite with the group given (else Solaris 10's group 2) and the DH
    /// private length given (else none: the provider's default).
    var suite: IKESuite {
        let g = DHGroup.ike(group ?? Defaults2007.group)!
        return IKESuite(group: g, prf: prfValue, cipher: cipherValue, dhPrivateBits: dhPrivateLength?.bits(for: g))
    }
}
