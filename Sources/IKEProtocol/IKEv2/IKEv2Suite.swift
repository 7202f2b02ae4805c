import CryptoFramework

/// The transforms of one IKE SA (RFC 7296 §3.3.2, IANA "IKEv2 Parameters"):
/// encryption, PRF, integrity (none with an AEAD cipher, RFC 5282) and key-exchange group.
public struct IKEv2Suite: Sendable, Equatable, CustomStringConvertible {
    public enum Encryption: Sendable, Equatable {
        /// ENCR_AES_CBC (12, RFC 3602), 128 or 256-bit key, with an integrity transform.
        case aesCBC(bits: Int)
        /// ENCR_AES_GCM_16 (20, RFC 5282): AES-GCM with a 16-byte ICV, an
        /// 8-byte explicit IV and a 4-byte salt taken from the keying material
        /// after each key (§7.1); no integrity transform.
        case aesGCM16(bits: Int)
        public static let transformAESCBC: UInt16 = 12
        public static let transformAESGCM16: UInt16 = 20
        public var transformID: UInt16 {
            switch self {
            case .aesCBC: Self.transformAESCBC
            case .aesGCM16: Self.transformAESGCM16
            }
        }
        public var keyBits: Int {
            switch self {
            case .aesCBC(let b), .aesGCM16(let b): b
            }
        }
        public var keyBytes: Int { keyBits / 8 }
        /// Whether it protects integrity itself (an AEAD: the suite has no integrity transform).
        public var isAEAD: Bool { if case .aesGCM16 = self { true } else { false } }
        /// Bytes of SK_ei and SK_er (RFC 7296 §2.14): the key, and for GCM its 4-byte salt (RFC 5282 §7.1).
        public var keyMaterialBytes: Int { keyBytes + (isAEAD ? Self.gcmSaltBytes : 0) }
        /// What the plaintext (payloads, padding, pad length) is padded to: AES's
        /// block for CBC; GCM needs no padding (RFC 5282 §3: any length).
        public var blockSize: Int { isAEAD ? 1 : 16 }
        /// The SK payload's IV: a block for CBC, RFC 5282 §3.1's 8-byte explicit part of the nonce for GCM.
        public var ivSize: Int { isAEAD ? 8 : 16 }
        /// The AEAD's ICV (GCM's tag, 16 bytes for ENCR_AES_GCM_16); 0 for CBC, whose ICV is the integrity transform's.
        public var aeadICVBytes: Int { isAEAD ? 16 : 0 }
        public static let gcmSaltBytes = 4
        public var mechanism: Mechanism { isAEAD ? .aesGCM : .aesCBC }
        public var transform: IKEv2Transform { IKEv2Transform(.encryption, transformID, keyLength: UInt16(keyBits)) }
        /// strongSwan's keyword: `aes128`, `aes256gcm16`.
        public var name: String { isAEAD ? "aes\(keyBits)gcm16" : "aes\(keyBits)" }
    }

    public enum PRF: String, Sendable, CaseIterable {
        /// PRF_HMAC_SHA2_256 (5), _384 (6), _512 (7): RFC 4868.
        case sha256, sha384, sha512
        public var transformID: UInt16 {
            switch self {
            case .sha256: 5
            case .sha384: 6
            case .sha512: 7
            }
        }
        public var hash: HashAlgorithm {
            switch self {
            case .sha256: .sha256
            case .sha384: .sha384
            case .sha512: .sha512
            }
        }
        public var hmacMechanism: Mechanism { hash.hmacMechanism }
        /// Output length, also the length of SK_d, SK_pi and SK_pr (RFC 7296 §2.14).
        public var outputBytes: Int { hash.digestLength }
        public var transform: IKEv2Transform { IKEv2Transform(.prf, transformID) }
    }

    public enum Integrity: String, Sendable, CaseIterable {
        /// AUTH_HMAC_SHA2_256_128 (12), _384_192 (13), _512_256 (14): RFC 4868.
        case sha256_128, sha384_192, sha512_256
        public var transformID: UInt16 {
            switch self {
            case .sha256_128: 12
            case .sha384_192: 13
            case .sha512_256: 14
            }
        }
        public var hash: HashAlgorithm {
            switch self {
            case .sha256_128: .sha256
            case .sha384_192: .sha384
            case .sha512_256: .sha512
            }
        }
        /// Key length: the hash's output (RFC 4868 §2.1.1).
        public var keyBytes: Int { hash.digestLength }
        /// The ICV: half the hash's output, truncated (RFC 4868 §2.1).
        public var icvBytes: Int { hash.digestLength / 2 }
        public var transform: IKEv2Transform { IKEv2Transform(.integrity, transformID) }
        public var name: String { hash.rawValue }
    }

    public var encryption: Encryption
    public var prf: PRF
    /// nil with an AEAD cipher (RFC 7296 §3.3: none is proposed), set otherwise.
    public var integrity: Integrity?
    public var group: IKEv2Group
    /// The length of our MODP private value (as IKESuite's: not negotiated, each
    /// side chooses); nil: the provider's default. `serve --dh-private` sets it
    /// so IKEv1 and IKEv2 draw the same.
    public var dhPrivateBits: Int? = nil

    /// `integrity` is ignored (nil) with an AEAD cipher; without one it must be given.
    public init(encryption: Encryption, prf: PRF, integrity: Integrity?, group: IKEv2Group) {
        self.encryption = encryption
        self.prf = prf
        self.integrity = encryption.isAEAD ? nil : integrity
        self.group = group
    }

    /// The SK payload's ICV length: the AEAD's tag or the integrity transform's truncated MAC.
    public var icvBytes: Int { encryption.isAEAD ? encryption.aeadICVBytes : integrity?.icvBytes ?? 0 }

    public var description: String { proposalName }

    /// strongSwan's keyword: `aes128-sha256-modp2048`, or with a PRF that is not
    /// the integrity's hash, `aes128-sha256-prfsha384-ecp384`; with GCM, which has
    /// no integrity transform, the PRF always: `aes256gcm16-prfsha384-ecp384`.
    public var proposalName: String {
        guard let integrity else { return "\(encryption.name)-prf\(prf.rawValue)-\(group.name)" }
        let prfPart = prf.hash == integrity.hash ? "" : "-prf\(prf.rawValue)"
        return "\(encryption.name)-\(integrity.name)\(prfPart)-\(group.name)"
    }

    /// Parses strongSwan's keywords for what this suite can be:
    /// `aes128|aes256` `-sha256|sha384|sha512` [`-prfsha256|…`] `-modp2048|modp3072|modp4096|ecp256|ecp384|x25519|curve25519`,
    /// or `aes128gcm16|aes256gcm16` (also spelled `…gcm128`) `-prfsha256|prfsha384|prfsha512` `-GROUP`.
    public init?(proposalName: String) {
        let parts = proposalName.lowercased().split(separator: "-").map(String.init)
        guard parts.count == 3 || parts.count == 4, let group = IKEv2Group(name: parts.last!) else { return nil }
        func prf(_ part: String) -> PRF? { part.hasPrefix("prf") ? PRF(rawValue: String(part.dropFirst(3))) : nil }
        if let gcm = ["aes128gcm16": 128, "aes256gcm16": 256, "aes128gcm128": 128, "aes256gcm128": 256][parts[0]] {
            // An AEAD has no integrity transform: the PRF must be named (strongSwan's rule too).
            guard parts.count == 3, let p = prf(parts[1]) else { return nil }
            self.init(encryption: .aesGCM16(bits: gcm), prf: p, integrity: nil, group: group)
            return
        }
        guard let enc = ["aes128": 128, "aes256": 256][parts[0]] else { return nil }
        let integ: Integrity
        switch parts[1] {
        case "sha256", "sha2_256": integ = .sha256_128
        case "sha384", "sha2_384": integ = .sha384_192
        case "sha512", "sha2_512": integ = .sha512_256
        default: return nil
        }
        var chosenPRF = PRF(rawValue: integ.hash.rawValue)!
        if parts.count == 4 {
            guard let p = prf(parts[2]) else { return nil }
            chosenPRF = p
        }
        self.init(encryption: .aesCBC(bits: enc), prf: chosenPRF, integrity: integ, group: group)
    }

    /// The transforms of an IKE proposal offering exactly this suite.
    public var transforms: [IKEv2Transform] {
        var all: [IKEv2Transform] = []
        all.reserveCapacity(4)
        all.append(encryption.transform)
        all.append(prf.transform)
        if let integrity { all.append(integrity.transform) }
        all.append(IKEv2Transform(.keyExchange, group.number))
        return all
    }

    public func proposal(number: UInt8 = 1, spi: [UInt8] = []) -> IKEv2Proposal {
        IKEv2Proposal(number: number, protocolID: IKEv2Proposal.protocolIKE, spi: spi, transforms: transforms)
    }

    /// Whether `p` (an IKE proposal) allows this suite with the given DH group.
    func isOffered(by p: IKEv2Proposal) -> Bool {
        guard p.protocolID == IKEv2Proposal.protocolIKE else { return false }
        // A transform with attributes we do not understand is never usable (§3.3.6); searched in place, with no filtered copy.
        func usable(_ t: IKEv2Transform) -> Bool { p.transforms.contains { !$0.hasUnknownAttributes && $0 == t } }
        let integrityOK: Bool
        if let integrity {
            integrityOK = usable(integrity.transform)
        } else {
            // An AEAD proposal omits integrity or offers only NONE (RFC 5282 §8, RFC 7296 §3.3).
            integrityOK = !p.transforms.contains { $0.type == IKEv2TransformType.integrity.rawValue && $0.id != 0 }
        }
        return usable(encryption.transform) && usable(prf.transform)
            && integrityOK && usable(IKEv2Transform(.keyExchange, group.number))
    }

    /// The responder's defaults: AES-CBC 128/256 with SHA2-256/384/512 integrity
    /// and the PRF of the same hash, and AES-GCM-16 128/256 with each PRF;
    /// groups 31, 19, 20, 14 (strongest-cheapest first).
    public static var defaultResponderSuites: [IKEv2Suite] {
        var all: [IKEv2Suite] = []
        for group in [IKEv2Group.curve25519, .ecp(.p256), .ecp(.p384), .modp(.modp14)] {
            for bits in [128, 256] {
                for integ in Integrity.allCases {
                    all.append(IKEv2Suite(encryption: .aesCBC(bits: bits), prf: PRF(rawValue: integ.hash.rawValue)!,
                                          integrity: integ, group: group))
                }
                for prf in PRF.allCases {
                    all.append(IKEv2Suite(encryption: .aesGCM16(bits: bits), prf: prf, integrity: nil, group: group))
                }
            }
        }
        return all
    }
}

/// A key-exchange group (transform type 4): MODP (RFC 3526), ECP (RFC 5903) or Curve25519 (RFC 8031).
public enum IKEv2Group: Sendable, Equatable {
    case modp(DHGroup)
    case ecp(ECCurve)
    case curve25519

    public init?(number: UInt16) {
        switch number {
        case 19: self = .ecp(.p256)
        case 20: self = .ecp(.p384)
        case 21: self = .ecp(.p521)
        case 31: self = .curve25519
        default:
            guard let g = DHGroup.ike(Int(number)), number >= 14 else { return nil }  // groups below 14 are not offered in IKEv2 here
            self = .modp(g)
        }
    }

    public init?(name: String) {
        switch name.lowercased() {
        case "ecp256": self = .ecp(.p256)
        case "ecp384": self = .ecp(.p384)
        case "ecp521": self = .ecp(.p521)
        case "x25519", "curve25519": self = .curve25519
        case let n where n.hasPrefix("modp"):
            guard let bits = Int(n.dropFirst(4)), let number = [2048: 14, 3072: 15, 4096: 16][bits] else { return nil }
            self.init(number: UInt16(number))
        default: return nil
        }
    }

    public var number: UInt16 {
        switch self {
        case .modp(let g): UInt16(g.number ?? 0)
        case .ecp(.p256): 19
        case .ecp(.p384): 20
        case .ecp(.p521): 21
        case .ecp: 0
        case .curve25519: 31
        }
    }

    public var name: String {
        switch self {
        case .modp(let g): "modp\(g.byteCount * 8)"
        case .ecp(let c): "ecp\(c.keyBits)"
        case .curve25519: "x25519"
        }
    }

    /// Bytes of the KE payload's data: the modulus length (§3.4), x ‖ y for ECP
    /// (RFC 5903 §7), 32 for Curve25519 (RFC 8031 §3.1).
    public var publicValueBytes: Int {
        switch self {
        case .modp(let g): g.byteCount
        case .ecp(let c): 2 * c.fieldByteCount
        case .curve25519: 32
        }
    }
}
