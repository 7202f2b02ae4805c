import CryptoFramework
import EmulatedHardware

/// A multi-part digest, HMAC or cipher on sparcfp: libcrypto computes it part
/// by part, and the stream is charged the modeled T1 cycles of one request
/// over the same bytes (``SymmetricSoftwareCost``): a cipher per part, a
/// digest or HMAC at Finish, when its length is known. In timed mode Finish
/// holds until the modeled time has passed since the stream began.
final class SPARCFloatStream: ProviderStream {
    private let inner: any ProviderStream
    private let request: StreamRequest
    private let provider: SPARCFloatProvider
    private let context: OperationContext
    private let keyBytes: Int
    private let start = MonotonicClock.nanoseconds()
    private var bytes = 0

    init(_ inner: any ProviderStream, request: StreamRequest, provider: SPARCFloatProvider, context: OperationContext) {
        self.inner = inner
        self.request = request
        self.provider = provider
        self.context = context
        keyBytes = request.keyByteCount
    }

    private var isCipher: Bool {
        switch request {
        case .encrypt, .decrypt: true
        case .digest, .mac: false
        }
    }

    func update(_ input: [UInt8]) throws -> [UInt8] {
        let output = try inner.update(input)
        bytes += input.count
        if isCipher { charge(bytes: input.count) }
        return output
    }

    func finish() throws -> [UInt8] {
        let output = try inner.finish()
        if !isCipher { charge(bytes: bytes) }
        context.count("\(provider.descriptor.name).symmetric_bytes", bytes)
        provider.holdOnThread(since: start, context: context)
        return output
    }

    private func charge(bytes: Int) {
        guard let cycles = SymmetricSoftwareCost.cycles(request.mechanism, keyBytes: keyBytes, bytes: bytes, on: provider.chip) else { return }
        context.addModeled(cycles: cycles, clockHz: provider.chip.clockHz)
    }
}
