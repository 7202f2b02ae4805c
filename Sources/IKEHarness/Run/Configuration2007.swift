import CryptoFramework
import IKEProtocol
import Providers

/// One way the 2007 T2000 run could have been set up. The blog gives neither
/// the RSA key size nor the Oakley group, nor whether in.iked's DH key-pair
/// template set CKA_VALUE_BITS (without it Solaris' softtoken draws a private
/// value as long as the prime: softDH.c); these are the unknowns the
/// explanation table walks through.
public struct Configuration2007: Sendable, Hashable, CustomStringConvertible {
    public var rsaBits: Int
    /// Oakley/MODP group number.
    public var group: Int
    public var dhPrivate: DHPrivateValueLength

    public init(rsaBits: Int, group: Int, dhPrivate: DHPrivateValueLength) {
        self.rsaBits = rsaBits
        self.group = group
        self.dhPrivate = dhPrivate
    }

    /// The DH group (nil for an unknown number).
    public var dhGroup: DHGroup? { DHGroup.ike(group) }

    /// Bits of the responder's DH private value.
    public var dhPrivateBits: Int { dhGroup.map(dhPrivate.bits(for:)) ?? 0 }

    public var description: String {
        "RSA-\(rsaBits), group \(group), \(dhPrivateBits)-bit DH private values (\(dhPrivate == .fullLength ? "full length" : "short"))"
    }

    /// The suite one negotiation of this configuration uses.
    public func suite(prf: IKESuite.PRF = .sha1, cipher: IKESuite.Cipher = .des3) -> IKESuite? {
        dhGroup.map { IKESuite(group: $0, prf: prf, cipher: cipher, dhPrivateBits: dhPrivate.bits(for: $0)) }
    }

    /// The plausible configurations: RSA 1024 or 2048 (ikecert's default and
    /// the largest key ncp/0 takes), groups 1, 2, 5 and 14 (the MODP groups up
    /// to ncp's 2048-bit limit), private values short or full length.
    public static let grid: [Configuration2007] =
        [1024, 2048].flatMap { rsa in
            [1, 2, 5, 14].flatMap { g in
                [DHPrivateValueLength.short, .fullLength].map { Configuration2007(rsaBits: rsa, group: g, dhPrivate: $0) }
            }
        }

    /// Solaris 10's defaults: ikecert's 1024-bit keys, in.iked's group 2, and
    /// softtoken's full-length private values (no CKA_VALUE_BITS).
    public static let solaris10Defaults = Configuration2007(rsaBits: 1024, group: 2, dhPrivate: .fullLength)

    /// The configuration `ikebench compare` runs by default.
    public static let mostPlausible = Configuration2007(rsaBits: 2048, group: 14, dhPrivate: .fullLength)

    /// Why ``mostPlausible`` is the default, as `compare` prints it.
    public static let mostPlausibleReason = """
        default configuration RSA-2048, group 14, full-length DH private values: of the configurations \
        `ikebench calibrate` tabulates, it is the one that explains both 2007 figures at the published \
        T1 latencies with nothing undocumented — full-length values are what softtoken draws without \
        CKA_VALUE_BITS (softDH.c), and the T1 runs every instruction of mont_mulf in hardware. \
        Solaris 10's own defaults (RSA-1024, group 2) fall short of 7.73 s by a factor of about 9 and \
        would need a slowdown the hardware documentation contradicts; which configuration really ran \
        in 2007 is not recorded. Any other row: --rsa-bits, --group, --dh-private.
        """
}

extension IKESuite {
    /// This suite with our DH private value `length` bits long for its group
    /// (what a key-pair template's CKA_VALUE_BITS would say), so that every
    /// provider draws the same length rather than its own default.
    public func withDHPrivate(_ length: DHPrivateValueLength) -> IKESuite {
        var s = self
        // MODP groups only: an EC group's private value is a scalar below n.
        s.dhPrivateBits = group.flatMap { length.bits(for: $0) }
        return s
    }
}
