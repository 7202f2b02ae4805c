#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Takes the expected value out of a provider's result: the one place that
/// decides what each request may return. A provider that returns the wrong
/// kind of result is a `deviceError`, never a crash; callers with an error
/// domain of their own (ISAKMP, PKCS#11) map that one error.
extension CryptoResult {
    /// The output of a signature, digest, cipher or random request (a secret
    /// result's bytes too, copied out as the caller asked for them).
    public var bytes: [UInt8] {
        get throws(CryptoError) {
            switch self {
            case .bytes(let b): return b
            case .secret(let s): return s.bytes
            default: throw mismatch("bytes")
            }
        }
    }

    /// A derived secret or a MAC, in its wiping buffer.
    public var secret: SecureBytes {
        get throws(CryptoError) {
            if case .secret(let s) = self { return s }
            throw mismatch("a secret")
        }
    }

    /// Key material, which may come either way: a secret as it is, or plain
    /// bytes (random output) moved into a wiping buffer and the plain array wiped.
    public consuming func keyMaterial() throws(CryptoError) -> SecureBytes {
        switch consume self {
        case .secret(let s):
            return s
        case .bytes(var plain):
            defer { plain.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } } }
            return SecureBytes(plain)
        case let other:
            throw other.mismatch("key material")
        }
    }

    /// A verification's verdict (an invalid signature is `false`, not an error).
    public var verified: Bool {
        get throws(CryptoError) {
            if case .verified(let v) = self { return v }
            throw mismatch("a verification result")
        }
    }

    public var rsaKeyPair: RSAPrivateKey {
        get throws(CryptoError) {
            if case .rsaKeyPair(let k) = self { return k }
            throw mismatch("an RSA key pair")
        }
    }

    public var dhKeyPair: DHKeyPair {
        get throws(CryptoError) {
            if case .dhKeyPair(let k) = self { return k }
            throw mismatch("a DH key pair")
        }
    }

    /// A generated EC key, its public key present.
    public var ecKeyPair: ECPrivateKey {
        get throws(CryptoError) {
            if case .ecKeyPair(let k) = self { return k }
            throw mismatch("an EC key pair")
        }
    }

    private func mismatch(_ expected: String) -> CryptoError {
        CryptoError(.deviceError, "provider returned \(self) where \(expected) was expected")
    }
}
