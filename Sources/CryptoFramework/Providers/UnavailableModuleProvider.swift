/// Stands in for an installed PKCS#11 module that could not be loaded (the
/// library is missing or not PKCS#11, C_Initialize failed, the token refused
/// the PIN): it is listed, in the FAILED state, with no mechanisms and the
/// load error as its summary, so the framework starts without it and
/// `cryptoadm list` says why.
final class UnavailableModuleProvider: CryptoProvider {
    let descriptor: ProviderDescriptor
    let loadError: CryptoError

    init(path: String, error: CryptoError) {
        loadError = error
        descriptor = ProviderDescriptor(
            name: path, kind: .pkcs11Module, summary: "failed to load: \(error.message)", mechanisms: [])
    }

    var isFailed: Bool { true }

    func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        throw CryptoError(.providerFailed, "\(descriptor.name) is not loaded: \(loadError.message)")
    }
}
