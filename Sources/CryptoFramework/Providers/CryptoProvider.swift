/// The provider plugin protocol (the SPI). A provider declares what it can do
/// in its ``descriptor`` and serves ``CryptoRequest``s; the registry selects,
/// fails over and accounts. Errors must be ``CryptoError``s: recoverable codes
/// (busy, device error, key size range, provider failed) send the request to
/// another provider.
public protocol CryptoProvider: AnyObject, Sendable {
    var descriptor: ProviderDescriptor { get }

    /// Jobs in flight plus queued. Among hardware, the least loaded is chosen.
    var load: Int { get }

    /// True when the provider is in KCF's FAILED state (it is then skipped).
    var isFailed: Bool { get }

    /// The provider's own statistics (a device's per-unit counters), if it keeps any.
    var kstats: [Kstat] { get }

    /// Requests per second the whole modeled device sustains for an operation
    /// (`operationName` as in ``CryptoRequest/operationName``) at `keyBits`, if
    /// the provider has a device model; nil otherwise.
    func modeledThroughput(mechanism: Mechanism, operation: String, keyBits: Int) -> Double?

    /// Serves one request on the calling thread.
    func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult

    /// Serves one request without holding a thread while it waits (a device
    /// queue). The default runs ``perform(_:context:)``.
    func performAsync(_ request: CryptoRequest, context: OperationContext) async throws -> CryptoResult
}

extension CryptoProvider {
    public var load: Int { 0 }
    public var isFailed: Bool { false }
    public var kstats: [Kstat] { [] }
    public func modeledThroughput(mechanism: Mechanism, operation: String, keyBits: Int) -> Double? { nil }
    public func performAsync(_ request: CryptoRequest, context: OperationContext) async throws -> CryptoResult {
        try perform(request, context: context)
    }

    /// The error for a request this provider does not serve.
    public func unsupported(_ request: CryptoRequest) -> CryptoError {
        CryptoError(.mechanismInvalid, "\(descriptor.name) does not \(request.operationName) with \(request.mechanism)")
    }
}
