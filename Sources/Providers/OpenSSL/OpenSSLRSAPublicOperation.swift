internal import CLibCrypto
import CryptoFramework

/// RSAVP1 (s ↦ s^e mod n, RFC 8017 §5.2.2) on libcrypto's Montgomery
/// arithmetic, for verification. Everything in it is public, so it needs no
/// constant-time path; what it saves against EVP_PKEY_verify is the per-call
/// work around the exponentiation (a BN_CTX and a buffer allocated and freed,
/// the Montgomery context fetched under a lock, the provider dispatch): the
/// Montgomery context is built once per key and kept behind it, and scratch
/// bignums come from a pool. The padding is then checked by the framework's
/// ``RSASignatureVerifier``, the code every provider's verify answers with.
final class OpenSSLRSAPublicOperation: @unchecked Sendable {  // immutable after init; BN_mod_exp_mont reads `mont` only
    private let n: BigNumber
    private let e: BigNumber
    private let mont: OpaquePointer
    let byteCount: Int

    /// The cache slot under which a key keeps its operation.
    static let handleSlot = "openssl.rsa-public"

    private init(_ key: RSAPublicKey, scratch: Scratch) throws {
        n = try BigNumber(key.modulus)
        e = try BigNumber(key.publicExponent)
        byteCount = key.byteCount
        mont = try OpenSSLFailure.check(BN_MONT_CTX_new(), "BN_MONT_CTX_new")
        guard BN_MONT_CTX_set(mont, n.pointer, scratch.context) == 1 else {
            BN_MONT_CTX_free(mont)
            throw OpenSSLFailure.error(.keyInvalid, "BN_MONT_CTX_set (RSA modulus)")
        }
    }

    deinit { BN_MONT_CTX_free(mont) }

    /// The key's operation, built on first use and cached in its handles.
    static func of(_ key: RSAPublicKey, scratch: ObjectPool<Scratch>) throws -> OpenSSLRSAPublicOperation {
        try key.handles.handle(handleSlot) {
            try scratch.borrow(make: Scratch.init) { try OpenSSLRSAPublicOperation(key, scratch: $0) }
        }
    }

    /// s^e mod n as `byteCount` big-endian bytes; `signature` must be `byteCount` bytes below n.
    func apply(_ signature: [UInt8], scratch pool: ObjectPool<Scratch>) throws -> [UInt8] {
        try pool.borrow(make: Scratch.init) { scratch in
            let loaded = signature.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), scratch.input) }
            guard loaded != nil else { throw OpenSSLFailure.error(.hostMemory, "BN_bin2bn") }
            guard BN_ucmp(scratch.input, n.pointer) < 0 else {
                throw CryptoError(.signatureInvalid, "signature value is not below the modulus")
            }
            try OpenSSLFailure.check(
                BN_mod_exp_mont(scratch.output, scratch.input, e.pointer, n.pointer, scratch.context, mont), "BN_mod_exp_mont")
            var out = [UInt8](repeating: 0, count: byteCount)
            let written = out.withUnsafeMutableBufferPointer { BN_bn2binpad(scratch.output, $0.baseAddress, Int32($0.count)) }
            guard written == Int32(byteCount) else { throw OpenSSLFailure.error(.providerFailed, "BN_bn2binpad") }
            return out
        }
    }

    /// A BN_CTX and two bignums for one operation at a time; public values only.
    final class Scratch: @unchecked Sendable {  // used by one thread at a time: the pool hands it out exclusively
        let context: OpaquePointer
        let input: OpaquePointer
        let output: OpaquePointer

        init() throws {
            context = try OpenSSLFailure.check(BN_CTX_new(), "BN_CTX_new")
            guard let input = BN_new(), let output = BN_new() else {
                BN_CTX_free(context)
                throw OpenSSLFailure.error(.hostMemory, "BN_new")
            }
            self.input = input
            self.output = output
        }

        deinit {
            BN_free(input)
            BN_free(output)
            BN_CTX_free(context)
        }
    }
}
