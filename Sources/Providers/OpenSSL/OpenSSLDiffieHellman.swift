internal import CLibCrypto
import CryptoFramework

/// A DH group's prime, generator and Montgomery context in libcrypto form,
/// built once per group and shared by every operation on it.
final class DHGroupContext: @unchecked Sendable {  // read-only after init; BN_mod_exp_mont_consttime only reads p, g and the BN_MONT_CTX
    let group: DHGroup
    let prime: BigNumber
    let generator: BigNumber
    let montgomery: OpaquePointer

    init(_ group: DHGroup) throws {
        self.group = group
        prime = try BigNumber(group.prime)
        generator = try BigNumber(group.generator)
        let bnContext = try BigNumberContext()
        montgomery = try OpenSSLFailure.check(BN_MONT_CTX_new(), "BN_MONT_CTX_new")
        guard BN_MONT_CTX_set(montgomery, prime.pointer, bnContext.pointer) == 1 else {
            BN_MONT_CTX_free(montgomery)
            throw OpenSSLFailure.error(.providerFailed, "BN_MONT_CTX_set")
        }
    }

    deinit { BN_MONT_CTX_free(montgomery) }

    /// base^exponent mod p in constant time (the exponent is secret).
    func power(_ base: BigNumber, _ exponent: BigNumber) throws -> BigNumber {
        let result = try BigNumber(secret: true)
        let bnContext = try BigNumberContext()
        try OpenSSLFailure.check(
            BN_mod_exp_mont_consttime(result.pointer, base.pointer, exponent.pointer, prime.pointer, bnContext.pointer, montgomery),
            "BN_mod_exp_mont_consttime")
        return result
    }
}

/// CKM_DH_PKCS_KEY_PAIR_GEN and CKM_DH_PKCS_DERIVE (PKCS#3) with exponentiation
/// by BN_mod_exp_mont_consttime.
enum OpenSSLDiffieHellman {
    /// The shortest private exponent accepted: 160 bits, the smallest exponent
    /// length of FIPS 186 / SP 800-57's 80-bit security level.
    static func generate(_ context: DHGroupContext, privateBits requested: Int?) throws -> DHKeyPair {
        let group = context.group
        let bits = try group.privateExponentBits(requested: requested)
        let x = try BigNumber(secret: true)
        if bits >= group.bits {
            // Full length: x uniform in [2, p − 2] (BN_priv_rand_range below p − 3, plus 2).
            let bound = try BigNumber(group.prime)
            try OpenSSLFailure.check(BN_sub_word(bound.pointer, 3), "BN_sub_word")
            try OpenSSLFailure.check(BN_priv_rand_range(x.pointer, bound.pointer), "BN_priv_rand_range")
            try OpenSSLFailure.check(BN_add_word(x.pointer, 2), "BN_add_word")
        } else {
            // Exactly `bits` bits with the top bit set; below p since bits < |p|.
            try OpenSSLFailure.check(BN_priv_rand(x.pointer, Int32(bits), BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY), "BN_priv_rand")
        }
        let y = try context.power(context.generator, x)
        let privateKey = DHPrivateKey(group: group, value: try x.secureBytes())
        return DHKeyPair(privateKey: privateKey, publicValue: try y.bytes(paddedTo: group.byteCount))
    }

    static func derive(_ context: DHGroupContext, privateKey: DHPrivateKey, peer: [UInt8]) throws -> SecureBytes {
        let group = context.group
        try DHRange.checkPeerValue(peer, group: group)
        let x = try BigNumber(privateKey.value)
        guard !x.isZero, x.bitCount <= group.bits else {
            throw CryptoError(.keyInvalid, "DH private value is zero or longer than the \(group.bits)-bit prime")
        }
        let y = try BigNumber(peer)
        let z = try context.power(y, x)
        // With y in 2...p−2, z = 1 only for an x that is a multiple of y's order.
        guard !z.isOne else { throw CryptoError(.dataInvalid, "DH shared value is 1: the private value does not fit the peer value") }
        // IKE's g^xy is as long as p, left-padded (RFC 2409 §5, RFC 7296 §2.14).
        return try z.secureBytes(paddedTo: group.byteCount)
    }
}
