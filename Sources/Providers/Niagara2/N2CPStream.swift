import CryptoFramework

/// A multi-part cipher, digest or HMAC on n2cp/0: libcrypto's context
/// computes each part (the true answer), and each Update is one submission
/// to a core's control-word queue, charged and held as the driver's job for
/// that part (``N2CPTimingModel``: job set-up, rounds per block, the host's
/// control word), as n2cp submits each `crypto_*_update` it gets.
///
/// - A cipher part costs its blocks (CTR's partial last block counted whole);
///   Finish takes libcrypto's last output (none for CBC and CTR: the
///   framework hands CBC whole blocks, CTR returns as many bytes as it is given).
/// - A digest or HMAC part costs the whole 64-byte blocks it completes (the
///   rest waits for the next part), an HMAC's first part also its inner key
///   block; Finish is one more job: the padded tail (and an HMAC's outer
///   hash). The blocks add up to those of one request over the same bytes.
///
/// The stream counts once in the per-algorithm kstats when it finishes.
final class N2CPStream: ProviderStream {
    private let inner: any ProviderStream
    private let request: StreamRequest
    private let provider: N2CPProvider
    private let context: OperationContext
    private let keyBytes: Int
    /// Digest and HMAC: bytes of the block not yet complete, and whether the HMAC's key block was charged.
    private var pending = 0
    private var keyBlockCharged = false

    init(_ inner: any ProviderStream, request: StreamRequest, provider: N2CPProvider, context: OperationContext) {
        self.inner = inner
        self.request = request
        self.provider = provider
        self.context = context
        keyBytes = request.keyByteCount
    }

    private var isHMAC: Bool {
        if case .mac = request { return true }
        return false
    }

    func update(_ input: [UInt8]) throws -> [UInt8] {
        guard !input.isEmpty else { return try inner.update(input) }
        let cost: N2CPJobCost?
        switch request {
        case .encrypt, .decrypt:
            cost = provider.timing.cost(request.request(data: input))
        case .digest, .mac:
            var blocks = (pending + input.count) / 64
            pending = (pending + input.count) % 64
            if isHMAC && !keyBlockCharged {
                blocks += 1  // K ⊕ ipad (RFC 2104)
                keyBlockCharged = true
            }
            cost = provider.timing.cost(request.mechanism, blocks: blocks, bytes: input.count)
        }
        guard let cost else { throw provider.unsupported(request.request(data: input)) }
        return try provider.streamPart(cost: cost, context: context) { try inner.update(input) }
    }

    func finish() throws -> [UInt8] {
        let output: [UInt8]
        switch request {
        case .encrypt, .decrypt:
            output = try inner.finish()
        case .digest(let m), .mac(let m, _):
            var blocks = N2CPTimingModel.hashBlocks(bytes: pending)
            if isHMAC {
                if !keyBlockCharged { blocks += 1 }
                blocks += N2CPTimingModel.hashBlocks(bytes: 64 + (DigestAlgorithm(hmacMechanism: m)?.digestLength ?? 0))
            }
            guard let cost = provider.timing.cost(m, blocks: blocks, bytes: pending) else {
                throw provider.unsupported(request.request(data: []))
            }
            output = try provider.streamPart(cost: cost, context: context) { try inner.finish() }
        }
        provider.countStream(request)
        return output
    }
}
