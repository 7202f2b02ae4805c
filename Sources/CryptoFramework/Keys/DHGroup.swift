/// A finite-field Diffie-Hellman group: prime p and generator g (PKCS#3), with
/// the IKE (Oakley/MODP) group number where it has one.
public struct DHGroup: Sendable, Hashable, CustomStringConvertible {
    /// IKE group number (RFC 2409 §6, RFC 3526), or nil for a custom group.
    public let number: Int?
    public let prime: [UInt8]
    public let generator: [UInt8]
    /// Estimated security strength in bits; the default private exponent is twice this.
    public let strengthBits: Int

    /// A custom group. Throws `keyInvalid` when p is even or below 512 bits, or g is not in 2..p−2;
    /// `argumentsBad` when `strengthBits` is outside 1...bits(p).
    public init(prime: [UInt8], generator: [UInt8], strengthBits: Int) throws {
        let p = Array(prime.drop(while: { $0 == 0 }))
        let g = Array(generator.drop(while: { $0 == 0 }))
        let bits = RSAKeyCheck.bitLength(p)
        guard bits >= 512, bits <= 16384, p.last! & 1 == 1 else {
            throw CryptoError(.keyInvalid, "DH prime must be odd and 512...16384 bits, got \(bits) bits")
        }
        guard DHRange.isInOpenRange(g, prime: p) else {
            throw CryptoError(.keyInvalid, "DH generator must lie in 2...p−2")
        }
        // Bounded so `defaultPrivateBits` (2 × strength) cannot overflow.
        guard (1...bits).contains(strengthBits) else {
            throw CryptoError(.argumentsBad, "DH group strength of \(strengthBits) bits is outside 1...\(bits) for a \(bits)-bit prime")
        }
        self.init(number: nil, prime: p, generator: g, strengthBits: strengthBits)
    }

    init(number: Int?, prime: [UInt8], generator: [UInt8], strengthBits: Int) {
        self.number = number
        self.prime = prime
        self.generator = generator
        self.strengthBits = strengthBits
    }

    /// Bits of p: the key size matched against provider ranges.
    public var bits: Int { RSAKeyCheck.bitLength(prime) }
    /// Bytes of p: the length of public values and of the shared secret.
    public var byteCount: Int { prime.count }
    /// Shortest private exponent the framework generates: 160 bits, the
    /// smallest in RFC 3526 §8's table, and twice the strength of an 80-bit group.
    public static let minimumPrivateBits = 160

    /// Default private exponent length: twice the strength (RFC 3526 §8),
    /// at least ``minimumPrivateBits`` (group 1's 2×66 = 132 is raised).
    public var defaultPrivateBits: Int { min(max(2 * strengthBits, Self.minimumPrivateBits), bits) }

    /// The private exponent length to generate for a request: nil gives the
    /// default; `minimumPrivateBits...bits−1`, or `bits` for a full-length exponent.
    public func privateExponentBits(requested: Int?) throws -> Int {
        guard let requested else { return defaultPrivateBits }
        guard requested == bits || (Self.minimumPrivateBits..<bits).contains(requested) else {
            throw CryptoError(.argumentsBad,
                "DH private exponent of \(requested) bits for \(self): use \(Self.minimumPrivateBits)...\(bits - 1), or \(bits) for full length")
        }
        return requested
    }

    public var description: String {
        if let number { return "MODP group \(number) (\(bits) bits)" }
        return "DH group (\(bits) bits)"
    }

    /// The IKE group with that number (1, 2, 5, 14, 15, 16, 17, 18), or nil.
    public static func ike(_ number: Int) -> DHGroup? {
        allIKE.first { $0.number == number }
    }
}

/// A DH private value x, kept in a wiping buffer.
public struct DHPrivateKey: Sendable {
    public let group: DHGroup
    public let value: SecureBytes
    public init(group: DHGroup, value: SecureBytes) {
        self.group = group
        self.value = value
    }
}

/// A generated DH key pair: private x and public y = g^x mod p, y left-padded
/// to the length of p (as IKE's KE payload carries it).
public struct DHKeyPair: Sendable {
    public let privateKey: DHPrivateKey
    public let publicValue: [UInt8]
    public var group: DHGroup { privateKey.group }
    public init(privateKey: DHPrivateKey, publicValue: [UInt8]) {
        self.privateKey = privateKey
        self.publicValue = publicValue
    }
}

/// Range checks on big-endian values, no bignum needed.
public enum DHRange {
    /// Compare two big-endian unsigned values of any lengths.
    public static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let x = a.drop(while: { $0 == 0 }), y = b.drop(while: { $0 == 0 })
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        for (u, v) in zip(x, y) where u != v { return u < v ? -1 : 1 }
        return 0
    }

    /// 2 ≤ y ≤ p − 2 (the peer-value check of NIST SP 800-56A §5.6.2.3.1, partial).
    public static func isInOpenRange(_ y: [UInt8], prime p: [UInt8]) -> Bool {
        guard compare(y, [2]) >= 0 else { return false }
        // p − 2: p is odd, so subtracting 2 never borrows past the lowest byte
        // unless that byte is 0 or 1.
        var pMinus2 = p
        var i = pMinus2.count - 1
        var borrow: UInt8 = 2
        while borrow > 0 && i >= 0 {
            let (r, o) = pMinus2[i].subtractingReportingOverflow(borrow)
            pMinus2[i] = r
            borrow = o ? 1 : 0
            i -= 1
        }
        return compare(y, pMinus2) <= 0
    }

    /// Checks a peer's public value for group `group`, throwing a clear error.
    public static func checkPeerValue(_ y: [UInt8], group: DHGroup) throws {
        guard !y.isEmpty else {
            throw CryptoError(.argumentsBad, "DH peer public value is empty")
        }
        guard y.count <= group.byteCount else {
            throw CryptoError(.dataLengthRange,
                "DH peer public value is \(y.count) bytes, longer than the \(group.byteCount)-byte prime")
        }
        guard isInOpenRange(y, prime: group.prime) else {
            throw CryptoError(.dataInvalid, "DH peer public value is outside 2...p−2 for \(group)")
        }
    }
}
