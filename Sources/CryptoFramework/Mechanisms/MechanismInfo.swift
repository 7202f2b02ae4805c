/// PKCS#11 CKF_* mechanism flags (`pkcs11t.h`).
public struct MechanismFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let hardware = MechanismFlags(rawValue: 0x1)  // CKF_HW
    public static let encrypt = MechanismFlags(rawValue: 0x100)
    public static let decrypt = MechanismFlags(rawValue: 0x200)
    public static let digest = MechanismFlags(rawValue: 0x400)
    public static let sign = MechanismFlags(rawValue: 0x800)
    public static let signRecover = MechanismFlags(rawValue: 0x1000)
    public static let verify = MechanismFlags(rawValue: 0x2000)
    public static let verifyRecover = MechanismFlags(rawValue: 0x4000)
    public static let generate = MechanismFlags(rawValue: 0x8000)
    public static let generateKeyPair = MechanismFlags(rawValue: 0x10000)
    public static let wrap = MechanismFlags(rawValue: 0x20000)
    public static let unwrap = MechanismFlags(rawValue: 0x40000)
    public static let derive = MechanismFlags(rawValue: 0x80000)
    /// CKF_EC_F_P: EC over a prime field (X9.62 curves y² = x³ + ax + b mod p).
    public static let ecFp = MechanismFlags(rawValue: 0x100000)
    /// CKF_EC_NAMEDCURVE (v3.0's CKF_EC_OID): curves named by their OID.
    public static let ecNamedCurve = MechanismFlags(rawValue: 0x800000)
    /// CKF_EC_UNCOMPRESS: points in uncompressed form (04‖x‖y) are accepted.
    public static let ecUncompress = MechanismFlags(rawValue: 0x1000000)
    /// CKF_EC_COMPRESS: points in compressed form (02/03‖x) are accepted.
    public static let ecCompress = MechanismFlags(rawValue: 0x2000000)
    /// Every CKF_EC_* flag the framework knows (what `cryptoadm list -mv`'s EC column shows).
    public static let ecAny: MechanismFlags = [.ecFp, .ecNamedCurve, .ecUncompress, .ecCompress]
}

/// How strongly a provider's implementation of one mechanism should be chosen
/// over other software that also lists it (Selection rule 2). Declared data,
/// like the key sizes: a provider says `preferred` for a mechanism it serves
/// with a specialised implementation known to beat general-purpose ones
/// (libsodium's Ed25519), and the registry ranks it first among software for
/// that mechanism only. The platform's `softwarePriority` still orders
/// providers of equal preference, and devices are ranked by load as before.
public enum MechanismPreference: Int, Sendable, Hashable, Comparable {
    /// The platform's software order decides (the default).
    case ordinary = 0
    /// Ranked before `ordinary` entries of other software providers.
    case preferred = 1

    public static func < (a: MechanismPreference, b: MechanismPreference) -> Bool { a.rawValue < b.rawValue }
}

/// What one provider can do with one mechanism: key-size range (bits) and flags,
/// as a KCF provider registers its `crypto_mech_info_t`.
///
/// The registry uses it to select: the request's operation needs its flag
/// (``MechanismFlags/sign`` to sign, ``MechanismFlags/derive`` to derive, …),
/// its key must fit `minKeyBits...maxKeyBits` (a 0...0 range accepts any key),
/// and ``MechanismFlags/hardware`` (CKF_HW) makes the provider preferred like
/// hardware for this mechanism. Sizes are in bits, as PKCS#11 gives them for
/// RSA, DH and EC (``ECCurve/keyBits``).
///
/// An EC mechanism also declares the ``curves`` it serves: a size alone cannot
/// tell P-256 from X25519 (both 256 bits), so an X25519-only CKM_ECDH1_DERIVE
/// entry says `[.x25519]` and is never selected for a P-256 derive.
public struct MechanismInfo: Hashable, Sendable {
    public let mechanism: Mechanism
    public let minKeyBits: Int
    public let maxKeyBits: Int
    public let flags: MechanismFlags
    /// The curves an EC mechanism serves; empty for other mechanisms, and for
    /// an EC entry that admits any curve its key-size range covers.
    public let curves: ECCurves
    /// Rank among software providers of the mechanism (``MechanismPreference``).
    public let preference: MechanismPreference

    public init(_ mechanism: Mechanism, minKeyBits: Int = 0, maxKeyBits: Int = 0, flags: MechanismFlags, curves: ECCurves = [],
                preference: MechanismPreference = .ordinary) {
        self.mechanism = mechanism
        self.minKeyBits = minKeyBits
        self.maxKeyBits = maxKeyBits
        self.flags = flags
        self.curves = curves
        self.preference = preference
    }

    /// This entry with another preference.
    public func with(preference: MechanismPreference) -> MechanismInfo {
        MechanismInfo(mechanism, minKeyBits: minKeyBits, maxKeyBits: maxKeyBits, flags: flags, curves: curves, preference: preference)
    }

    /// Whether a key of `bits` fits this entry. Mechanisms without keys (digests,
    /// random) have a 0...0 range and accept any request.
    public func accepts(keyBits bits: Int?) -> Bool {
        guard let bits, maxKeyBits > 0 else { return true }
        return bits >= minKeyBits && bits <= maxKeyBits
    }

    /// Whether a key of `bits` on `curve` (nil: not an EC key) fits this entry:
    /// the size as ``accepts(keyBits:)`` says, and the curve among the declared ones.
    public func accepts(keyBits bits: Int?, curve: ECCurve?) -> Bool {
        guard accepts(keyBits: bits) else { return false }
        guard let curve, !curves.isEmpty else { return true }
        return curves.contains(curve)
    }
}
