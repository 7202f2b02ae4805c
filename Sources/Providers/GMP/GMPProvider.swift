import CryptoFramework

/// The `gmp` software provider: RSA and DH over GMP (`mpn_sec_powm`), through
/// the framework's generic ``RSAAlgorithms`` and ``DHAlgorithms``.
public final class GMPProvider: CryptoProvider {
    /// RSA and DH key sizes served: GMP has no limit of its own; 16384 is the
    /// framework's largest modulus.
    static let keyBits = 512...16384

    /// The mechanism table (KCF `crypto_mech_info_t` as data).
    static let mechanisms = MechanismInfo.rsaTable(bits: keyBits) + MechanismInfo.dhTable(bits: keyBits)

    public let descriptor = ProviderDescriptor(
        name: "gmp", summary: "GNU MP: RSA and Diffie-Hellman over mpn_sec_powm", mechanisms: GMPProvider.mechanisms)

    let server = BignumRequestServer(engine: GMPEngine())

    public init() {}

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        _ = try tableEntry(for: request)
        guard let result = try server.serve(request, hash: GMPDigest.digest, context: context) else {
            throw unsupported(request)
        }
        return result
    }
}
