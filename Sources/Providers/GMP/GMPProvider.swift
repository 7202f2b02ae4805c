import CryptoFramework

/// The `gmp` software provider: RSA and DH over GMP (`mpn_sec_powm`), and
/// ECDSA, ECDH and EC key pairs on P-256, P-384 and P-521 over GMP's `mpn_sec_*`
/// residue arithmetic, through the framework's generic ``RSAAlgorithms``,
/// ``DHAlgorithms`` and ``ECAlgorithms``.
public final class GMPProvider: CryptoProvider {
    /// RSA and DH key sizes served: GMP has no limit of its own; 16384 is the
    /// framework's largest modulus.
    static let keyBits = 512...16384

    /// The mechanism table (KCF `crypto_mech_info_t` as data): EC on the prime
    /// curves only (Ed25519 and X25519 stay with openssl and sodium).
    static let mechanisms = MechanismInfo.rsaTable(bits: keyBits) + MechanismInfo.dhTable(bits: keyBits)
        + MechanismInfo.ecdsaTable(curves: .prime) + [MechanismInfo.ecdhEntry(curves: .prime)]

    public let descriptor = ProviderDescriptor(
        name: "gmp", summary: "GNU MP: RSA and Diffie-Hellman over mpn_sec_powm; ECDSA and ECDH on P-256/384/521 over mpn_sec_*", mechanisms: GMPProvider.mechanisms)

    let server = BignumRequestServer(engine: GMPEngine())

    public init() {}

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        _ = try tableEntry(for: request)
        guard let result = try server.serve(request, hash: GMPDigest.digest, secretHash: GMPDigest.digest(_:secret:), context: context) else {
            throw unsupported(request)
        }
        return result
    }
}
