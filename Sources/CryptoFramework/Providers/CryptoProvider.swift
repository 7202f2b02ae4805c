/// The provider plugin protocol (the SPI): something that implements mechanisms.
///
/// A provider declares what it can do in its ``descriptor`` — its name, kind and
/// mechanism table with key-size ranges and CKF flags, as a KCF provider
/// registers its `crypto_mech_info_t` — and serves ``CryptoRequest``s. The
/// registry selects from that data alone (hardware or CKF_HW first, then
/// software by the platform's priority), fails over, applies the
/// administrator's policy (kcf.conf) and accounts; a provider never sees the
/// policy.
///
/// Rules for an implementation:
/// - Be thread-safe: ``perform(_:context:)`` is called concurrently. Keep shared
///   state behind `Locked` (a pthread mutex TSan can see), counters in atomics.
/// - Throw only ``CryptoError``. Recoverable codes (``CryptoError/Code/busy``,
///   ``CryptoError/Code/deviceError``, ``CryptoError/Code/keySizeRange``,
///   ``CryptoError/Code/providerFailed``, ``CryptoError/Code/mechanismInvalid``,
///   ``CryptoError/Code/hostMemory``) send the request to another provider;
///   anything else fails the request. Other error types are treated as a device error.
/// - Results must be correct: a hardware provider's RSA signatures are checked
///   before release (docs/DESIGN.md Selection rule 5).
/// - Cache native key handles behind the key (``RSAPrivateKey/handles``) under a
///   slot name unique to the provider, so a hot loop never re-imports a key.
///
/// Register a provider by returning it from a ``Platform``'s `makeProviders`
/// (see <doc:WritingAProvider>); a PKCS#11 module joins through kcf.conf and
/// ``Platform/makeModuleProvider``.
public protocol CryptoProvider: AnyObject, Sendable {
    /// Name, kind and mechanism table. Read once when the framework is built: it must not change.
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

    /// Serves one request on the calling thread. `context` collects what the
    /// report shows beyond host time (modeled cycles, operation counts).
    func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult

    /// Serves one request without holding a thread while it waits (a device
    /// queue). The default runs ``perform(_:context:)``.
    func performAsync(_ request: CryptoRequest, context: OperationContext) async throws -> CryptoResult

    /// A context for a multi-part digest, MAC or cipher operation whose parts
    /// are computed as they arrive, charging `context`; nil when the provider
    /// serves the mechanism in one request only (the framework then gathers
    /// the parts and sends one ``CryptoRequest``). The default is nil.
    func beginStream(_ request: StreamRequest, context: OperationContext) throws -> (any ProviderStream)?
}

extension CryptoProvider {
    public var load: Int { 0 }
    public var isFailed: Bool { false }
    public var kstats: [Kstat] { [] }
    public func modeledThroughput(mechanism: Mechanism, operation: String, keyBits: Int) -> Double? { nil }
    public func performAsync(_ request: CryptoRequest, context: OperationContext) async throws -> CryptoResult {
        try perform(request, context: context)
    }
    public func beginStream(_ request: StreamRequest, context: OperationContext) throws -> (any ProviderStream)? { nil }

    /// The error for a request this provider does not serve.
    public func unsupported(_ request: CryptoRequest) -> CryptoError {
        CryptoError(.mechanismInvalid, "\(descriptor.name) does not \(request.operationName) with \(request.mechanism)")
    }
}
