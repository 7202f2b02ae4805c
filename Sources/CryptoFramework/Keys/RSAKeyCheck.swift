import BigInt

/// Consistency checks on RSA key components, run once when a key value is made,
/// so that a damaged key is an error at import and never a wrong signature later.
enum RSAKeyCheck {
    /// Largest modulus accepted at all (providers narrow this further).
    static let maxModulusBits = 16384
    static let minModulusBits = 256

    static func bitLength(_ bigEndian: [UInt8]) -> Int {
        guard let first = bigEndian.first(where: { $0 != 0 }),
            let index = bigEndian.firstIndex(where: { $0 != 0 })
        else { return 0 }
        return (bigEndian.count - index - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    static func checkPublic(n: [UInt8], e: [UInt8]) throws {
        let bits = bitLength(n)
        guard bits >= minModulusBits, bits <= maxModulusBits else {
            throw CryptoError(.keySizeRange, "RSA modulus of \(bits) bits is outside \(minModulusBits)...\(maxModulusBits)")
        }
        guard n.last! & 1 == 1 else {
            throw CryptoError(.keyInvalid, "RSA modulus is even")
        }
        guard let eLast = e.last, eLast & 1 == 1, !(e.count == 1 && eLast < 3) else {
            throw CryptoError(.keyInvalid, "RSA public exponent must be odd and at least 3")
        }
        guard e.count < n.count || (e.count == n.count && e.lexicographicallyPrecedes(n)) else {
            throw CryptoError(.keyInvalid, "RSA public exponent is not smaller than the modulus")
        }
    }

    static func checkPrivate(
        public pub: RSAPublicKey, d: SecureBytes, p: SecureBytes, q: SecureBytes,
        dp: SecureBytes, dq: SecureBytes, qinv: SecureBytes
    ) throws {
        func big(_ s: SecureBytes) -> BigUInt { s.withUnsafeBytes { BigUInt($0) } }
        let n = pub.modulus.withUnsafeBytes { BigUInt($0) }
        let bp = big(p), bq = big(q), bd = big(d)
        guard bp > 1, bq > 1, bp * bq == n else {
            throw CryptoError(.keyInvalid, "RSA private key is inconsistent: p·q does not equal the modulus")
        }
        guard bd > 0, bd < n else {
            throw CryptoError(.keyInvalid, "RSA private exponent is out of range")
        }
        guard big(dp) == bd % (bp - 1), big(dq) == bd % (bq - 1) else {
            throw CryptoError(.keyInvalid, "RSA private key is inconsistent: CRT exponents do not match d")
        }
        guard (big(qinv) * bq) % bp == 1 else {
            throw CryptoError(.keyInvalid, "RSA private key is inconsistent: CRT coefficient is not q⁻¹ mod p")
        }
        // e·d ≡ 1 (mod p−1) and (mod q−1): checked through the CRT exponents.
        let e = pub.publicExponent.withUnsafeBytes { BigUInt($0) }
        guard (e * big(dp)) % (bp - 1) == 1, (e * big(dq)) % (bq - 1) == 1 else {
            throw CryptoError(.keyInvalid, "RSA private key is inconsistent: e·d is not 1 modulo p−1 and q−1")
        }
    }
}
