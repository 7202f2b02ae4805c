internal import CSodium
import CryptoFramework

/// `sodium`: the random pseudo-mechanism from libsodium's `randombytes_buf`
/// (the kernel's getrandom() underneath).
public final class SodiumProvider: CryptoProvider {
    public let descriptor = ProviderDescriptor(
        name: "sodium", summary: "libsodium \(SodiumProvider.version): random numbers",
        mechanisms: [MechanismInfo(.random, flags: [.generate])])

    public init() throws {
        // sodium_init returns 0 on success, 1 if already initialised, -1 on failure.
        guard sodium_init() >= 0 else {
            throw CryptoError(.providerFailed, "libsodium failed to initialise (sodium_init)")
        }
    }

    static var version: String { String(cString: sodium_version_string()) }

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        guard case .random(let count) = request else { throw unsupported(request) }
        try CryptoRequest.checkRandomCount(count)
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 { out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) } }
        return .bytes(out)
    }
}
