internal import CLibCrypto
import CryptoFramework

/// An owned libcrypto BIGNUM. A secret one (a private exponent, a shared
/// value) is flagged constant-time and wiped with BN_clear_free.
final class BigNumber {
    let pointer: OpaquePointer
    private let isSecret: Bool

    /// Takes ownership of `pointer`.
    init(owning pointer: OpaquePointer, secret: Bool) {
        self.pointer = pointer
        self.isSecret = secret
        if secret { BN_set_flags(pointer, BN_FLG_CONSTTIME) }
    }

    /// Zero.
    convenience init(secret: Bool) throws {
        let bn = try OpenSSLFailure.check(secret ? BN_secure_new() : BN_new(), "BN_new")
        self.init(owning: bn, secret: secret)
    }

    /// The big-endian unsigned value `bytes` (public).
    convenience init(_ bytes: [UInt8]) throws {
        try self.init(secret: false)
        try bytes.withUnsafeBytes { try load($0) }
    }

    /// The big-endian unsigned value `secret`, flagged secret.
    convenience init(_ secret: SecureBytes) throws {
        try self.init(secret: true)
        try secret.withUnsafeBytes { try load($0) }
    }

    private func load(_ raw: UnsafeRawBufferPointer) throws {
        let base = raw.bindMemory(to: UInt8.self).baseAddress
        guard BN_bin2bn(base, Int32(raw.count), pointer) != nil else {
            throw OpenSSLFailure.error(.hostMemory, "BN_bin2bn")
        }
    }

    deinit {
        if isSecret { BN_clear_free(pointer) } else { BN_free(pointer) }
    }

    var bitCount: Int { Int(BN_num_bits(pointer)) }
    /// BN_num_bytes is a macro; this is its definition.
    var byteCount: Int { (bitCount + 7) / 8 }
    var isZero: Bool { BN_is_zero(pointer) == 1 }
    var isOne: Bool { BN_is_one(pointer) == 1 }

    /// Big-endian, left-padded to `length` bytes (minimal length when nil).
    func bytes(paddedTo length: Int? = nil) throws -> [UInt8] {
        let count = length ?? byteCount
        var out = [UInt8](repeating: 0, count: count)
        let written = out.withUnsafeMutableBufferPointer { BN_bn2binpad(pointer, $0.baseAddress, Int32(count)) }
        guard written == Int32(count) else { throw OpenSSLFailure.error(.providerFailed, "BN_bn2binpad to \(count) bytes") }
        return out
    }

    /// Like ``bytes(paddedTo:)`` but straight into a wiping buffer.
    func secureBytes(paddedTo length: Int? = nil) throws -> SecureBytes {
        let count = length ?? byteCount
        return try SecureBytes(count: count) { buffer in
            let base = buffer.bindMemory(to: UInt8.self).baseAddress
            guard BN_bn2binpad(pointer, base, Int32(count)) == Int32(count) else {
                throw OpenSSLFailure.error(.providerFailed, "BN_bn2binpad to \(count) bytes")
            }
        }
    }
}

/// An owned BN_CTX (scratch space for bignum arithmetic), one per operation.
final class BigNumberContext {
    let pointer: OpaquePointer

    init() throws {
        pointer = try OpenSSLFailure.check(BN_CTX_secure_new(), "BN_CTX_secure_new")
    }

    deinit { BN_CTX_free(pointer) }
}
