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
    public static let ecFp = MechanismFlags(rawValue: 0x100000)
}

/// What one provider can do with one mechanism: key-size range (bits) and flags,
/// as a KCF provider registers its `crypto_mech_info_t`.
///
/// The registry uses it to select: the request's operation needs its flag
/// (``MechanismFlags/sign`` to sign, ``MechanismFlags/derive`` to derive, …),
/// its key must fit `minKeyBits...maxKeyBits` (a 0...0 range accepts any key),
/// and ``MechanismFlags/hardware`` (CKF_HW) makes the provider preferred like
/// hardware for this mechanism. Sizes are in bits, as PKCS#11 gives them for
/// RSA and DH.
public struct MechanismInfo: Hashable, Sendable {
    public let mechanism: Mechanism
    public let minKeyBits: Int
    public let maxKeyBits: Int
    public let flags: MechanismFlags

    public init(_ mechanism: Mechanism, minKeyBits: Int = 0, maxKeyBits: Int = 0, flags: MechanismFlags) {
        self.mechanism = mechanism
        self.minKeyBits = minKeyBits
        self.maxKeyBits = maxKeyBits
        self.flags = flags
    }

    /// Whether a key of `bits` fits this entry. Mechanisms without keys (digests,
    /// random) have a 0...0 range and accept any request.
    public func accepts(keyBits bits: Int?) -> Bool {
        guard let bits, maxKeyBits > 0 else { return true }
        return bits >= minKeyBits && bits <= maxKeyBits
    }
}
