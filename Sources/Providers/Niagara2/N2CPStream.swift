import CryptoFramework

/// A multi-part cipher on n2cp/0: libcrypto's context computes each part
/// (the true answer), and each Update is one submission to a core's
/// control-word queue, charged and held as a request of that part's bytes
/// (``N2CPTimingModel``: job set-up, rounds per block, the host's control
/// word), as the driver submits each `crypto_encrypt_update` it gets. Finish
/// takes libcrypto's last output (none for CBC and CTR: the framework hands
/// CBC whole blocks and CTR returns as many bytes as it is given) and counts
/// the stream once in the per-algorithm kstats.
final class N2CPStream: ProviderStream {
    private let inner: any ProviderStream
    private let request: StreamRequest
    private let provider: N2CPProvider
    private let context: OperationContext

    init(_ inner: any ProviderStream, request: StreamRequest, provider: N2CPProvider, context: OperationContext) {
        self.inner = inner
        self.request = request
        self.provider = provider
        self.context = context
    }

    func update(_ input: [UInt8]) throws -> [UInt8] {
        guard !input.isEmpty else { return try inner.update(input) }
        return try provider.streamPart(request, bytes: input, context: context) { try inner.update(input) }
    }

    func finish() throws -> [UInt8] {
        let output = try inner.finish()
        provider.countStream(request)
        return output
    }
}
