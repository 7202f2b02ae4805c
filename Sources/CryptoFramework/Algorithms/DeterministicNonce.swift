/// HMAC (RFC 2104) over a provider's own hash, on secret buffers only: what
/// RFC 6979's generator needs from a provider that has a hash but no HMAC.
enum HMACOverHash {
    /// The hash's input block: 64 bytes for SHA-1/224/256, 128 for SHA-384/512 (FIPS 180-4).
    static func blockSize(_ algorithm: HashAlgorithm) -> Int {
        switch algorithm {
        case .sha1, .sha224, .sha256: 64
        case .sha384, .sha512: 128
        }
    }

    /// H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ data)), K hashed first when longer than a block.
    static func mac(_ algorithm: HashAlgorithm, key: SecureBytes, _ data: SecureBytes, hash: SecretHashFunction) throws -> SecureBytes {
        let block = blockSize(algorithm)
        let key = key.count > block ? try hash(algorithm, key) : key
        func padded(_ pad: UInt8) throws -> SecureBytes {
            try SecureBytes(count: block) { out in
                key.withUnsafeBytes { k in
                    for i in 0..<block { out[i] = (i < k.count ? k[i] : 0) ^ pad }
                }
            }
        }
        let inner = try hash(algorithm, SecureBytes(concatenating: [try padded(0x36), data]))
        return try hash(algorithm, SecureBytes(concatenating: [try padded(0x5c), inner]))
    }
}

/// The deterministic ECDSA nonces of RFC 6979 §3.2: an HMAC-DRBG seeded with
/// the private key x and the message hash h1, drawing candidates k until one
/// is in 1...q−1 (and again, §3.4, when k gives r = 0 or s = 0).
struct DeterministicNonce {
    let algorithm: HashAlgorithm
    let hash: SecretHashFunction
    /// q's bit length (qlen) and byte length (rlen / 8).
    let orderBits: Int
    let order: [UInt8]
    private var k: SecureBytes
    private var v: SecureBytes

    /// Steps b–g of §3.2: `x` is int2octets(x) and `h1` bits2octets(h1), both rlen / 8 bytes.
    init(algorithm: HashAlgorithm, hash: @escaping SecretHashFunction, order: [UInt8], orderBits: Int,
         x: SecureBytes, h1: SecureBytes) throws {
        self.algorithm = algorithm
        self.hash = hash
        self.order = order
        self.orderBits = orderBits
        v = SecureBytes([UInt8](repeating: 0x01, count: algorithm.digestLength))
        k = SecureBytes([UInt8](repeating: 0x00, count: algorithm.digestLength))
        for separator: UInt8 in [0x00, 0x01] {
            k = try mac(SecureBytes(concatenating: [v, SecureBytes([separator]), x, h1]))
            v = try mac(v)
        }
    }

    private func mac(_ data: SecureBytes) throws -> SecureBytes {
        try HMACOverHash.mac(algorithm, key: k, data, hash: hash)
    }

    /// Step h: the next k in 1...q−1, as rlen / 8 big-endian bytes. Candidates
    /// out of range are dropped by a check that does not branch on their bytes.
    mutating func next() throws -> SecureBytes {
        while true {
            var blocks: [SecureBytes] = []
            var bits = 0
            while bits < orderBits {
                v = try mac(v)
                blocks.append(v)
                bits += 8 * v.count
            }
            let candidate = try Self.bits2int(SecureBytes(concatenating: blocks), bits: orderBits)
            let inRange = candidate.withUnsafeBytes { bytes in
                ECScalar.isNonZero(bytes[...]) && ECScalar.isLess(bytes[...], than: order)
            }
            if inRange { return candidate }
            try reject()
        }
    }

    /// Step h.3's update after a candidate is refused (out of range, or r or s was 0).
    mutating func reject() throws {
        k = try mac(SecureBytes(concatenating: [v, SecureBytes([0x00])]))
        v = try mac(v)
    }

    /// bits2int (§2.3.2): the leftmost `bits` bits of `input` as an integer,
    /// written as ⌈bits / 8⌉ big-endian bytes (a shorter input is left-padded).
    /// SEC 1 §4.1.3 step 5 truncates the message hash the same way.
    static func bits2int(_ input: SecureBytes, bits: Int) throws -> SecureBytes {
        let length = (bits + 7) / 8
        return try SecureBytes(count: length) { out in
            input.withUnsafeBytes { bytes in
                guard bytes.count > length || (bytes.count == length && 8 * length > bits) else {
                    for i in 0..<length { out[i] = i < length - bytes.count ? 0 : bytes[i - (length - bytes.count)] }
                    return
                }
                let shift = UInt8(8 * length - bits)  // 0...7: drop the bits beyond `bits` of the first `length` bytes
                for i in stride(from: length - 1, through: 0, by: -1) {
                    let low = bytes[i] >> shift
                    let high: UInt8 = i > 0 && shift > 0 ? bytes[i - 1] << (8 - shift) : 0
                    out[i] = low | high
                }
            }
        }
    }
}
