/// A multi-part digest, MAC or cipher operation bound to one provider, after
/// KCF's context-based calls (`crypto_digest_init`/`_update`/`_final`): the
/// registry selects the provider when it begins (rules 1–3 as for one
/// request; a provider that fails recoverably there is passed over), and the
/// parts go to that provider's context as they arrive, so nothing is gathered.
///
/// What the framework does itself, the same whichever provider serves:
/// - ECB and CBC: partial blocks wait here; the provider sees whole blocks,
///   and Update returns every whole block it can.
/// - CTR: data that would wrap the counter is refused (``CipherRules``)
///   before any of it reaches the provider; Update returns as much as it was given.
/// - GCM encryption: Update returns as much as it was given, Finish the tag.
/// - GCM decryption is gathered (up to ``maximumGatheredBytes``) and
///   decrypted at Finish in one request, because the tag must be checked
///   before any plaintext is released: Update returns nothing.
/// - A provider without contexts (``CryptoProvider/beginStream(_:context:)``
///   nil) gets ECB and CBC a request per Update of whole blocks (CBC's IV
///   chained from the last ciphertext block), and everything else gathered,
///   in one request at Finish.
///
/// The stream counts as one request of its provider when it ends (Finish, or
/// a failure); one abandoned before that is not counted. Calls from several
/// threads are served one at a time, in the order they take the stream's lock.
public final class CryptoStream: @unchecked Sendable {  // mutable state and the provider's context are touched only under `state`'s lock
    public let request: StreamRequest
    /// The provider serving the stream.
    public let providerName: String

    private let framework: CryptoFramework
    private let index: Int
    private let set: ProviderSet
    private let providerStream: (any ProviderStream)?
    private let context: OperationContext
    private let start: UInt64
    private let failovers: [(Int, CryptoError)]
    private let blockLength: Int?
    private let state = Locked(State())

    private struct State {
        /// ECB/CBC: the partial block waiting for the rest.
        var pending: [UInt8] = []
        /// Input kept for Finish (GCM decryption, a provider without contexts).
        var gathered: [UInt8] = []
        /// Bytes fed so far.
        var total = 0
        /// CBC on a provider without contexts: the IV of the next request.
        var chainedIV: [UInt8] = []
        var ended = false
    }

    /// Longest input gathered when the data cannot go to the provider as it arrives.
    public static let maximumGatheredBytes = 64 << 20

    init(
        _ request: StreamRequest, framework: CryptoFramework, index: Int, set: ProviderSet,
        providerStream: (any ProviderStream)?, context: OperationContext, start: UInt64, failovers: [(Int, CryptoError)]
    ) {
        self.request = request
        self.framework = framework
        self.index = index
        self.set = set
        self.providerName = set.descriptors[index].name
        self.providerStream = providerStream
        self.context = context
        self.start = start
        self.failovers = failovers
        blockLength = CipherRules.needsWholeBlocks(request.mechanism) ? CipherRules.blockLength(request.mechanism) : nil
        if case .encrypt(_, _, .iv(let iv)) = request { state.withLock { $0.chainedIV = iv } }
        if case .decrypt(_, _, .iv(let iv)) = request { state.withLock { $0.chainedIV = iv } }
    }

    /// ECB or CBC on a provider without contexts: one request per Update.
    private var chunked: Bool { providerStream == nil && blockLength != nil }

    /// True when the parts are computed as they arrive (false: gathered for Finish).
    public var isIncremental: Bool { providerStream != nil }

    private var gcm: GCMParameters? {
        switch request {
        case .encrypt(_, _, .gcm(let p)), .decrypt(_, _, .gcm(let p)): p
        default: nil
        }
    }

    private var isCipher: Bool {
        switch request {
        case .encrypt, .decrypt: true
        case .digest, .mac: false
        }
    }

    /// Bytes the next ``update(_:)`` of `count` bytes returns.
    public func updateOutputLength(_ count: Int) -> Int {
        state.withLock { updateOutputLength(count, $0) }
    }

    private func updateOutputLength(_ count: Int, _ s: State) -> Int {
        guard isCipher, providerStream != nil || chunked, gcmDecrypt == nil else { return 0 }
        guard let blockLength else { return count }  // CTR, GCM encryption
        let whole = s.pending.count + count
        return whole - whole % blockLength
    }

    /// Bytes ``finish()`` returns (GCM decryption: the plaintext if the tag matches).
    public var finalOutputLength: Int { state.withLock { finalOutputLength($0.total) } }

    /// Bytes ``finish()`` would return after one more ``update(_:)`` of `count`
    /// bytes (a gathering stream returns everything at Finish).
    public func finalOutputLength(after count: Int) -> Int { state.withLock { finalOutputLength($0.total + count) } }

    private func finalOutputLength(_ total: Int) -> Int {
        switch request {
        case .digest(let m): return DigestAlgorithm(digestMechanism: m)?.digestLength ?? 0
        case .mac(let m, _): return DigestAlgorithm(hmacMechanism: m)?.digestLength ?? 0
        case .encrypt:
            let tag = gcm?.tagLength ?? 0
            return providerStream == nil && !chunked ? total + tag : tag
        case .decrypt:
            if let gcm { return max(0, total - gcm.tagLength) }
            return providerStream == nil && !chunked ? total : 0
        }
    }

    /// Feeds the next part; returns the output ready now.
    public func update(_ data: [UInt8]) throws -> [UInt8] {
        try state.withLock { s in
            guard !s.ended else { throw CryptoError(.argumentsBad, "\(request.mechanism): the stream has ended") }
            do {
                return try update(data, &s)
            } catch {
                end(failing: &s)
                throw error
            }
        }
    }

    private func update(_ data: [UInt8], _ s: inout State) throws -> [UInt8] {
        switch request {
        case .encrypt(_, _, .counter(let block, let bits)), .decrypt(_, _, .counter(let block, let bits)):
            try CipherRules.checkCounter(block, bits: bits, totalBytes: s.total + data.count)
        default: break
        }
        guard providerStream != nil || chunked, gcmDecrypt == nil else {
            guard s.total + data.count <= Self.maximumGatheredBytes else {
                throw CryptoError(.dataLengthRange, "\(request.mechanism) on \(providerName) gathers its input (at most \(Self.maximumGatheredBytes) bytes) and \(s.total + data.count) bytes came")
            }
            s.gathered += data
            s.total += data.count
            return []
        }
        let expected = updateOutputLength(data.count, s)
        var input = data
        if let blockLength {
            s.pending += data
            let whole = s.pending.count - s.pending.count % blockLength
            input = Array(s.pending.prefix(whole))
            s.pending.removeFirst(whole)
        }
        s.total += data.count
        guard !input.isEmpty else { return [] }
        let output = try providerStream?.update(input) ?? chunk(input, &s)
        if isCipher, output.count != expected {
            throw CryptoError(.deviceError, "\(providerName) returned \(output.count) bytes of \(request.mechanism) output for \(input.count) bytes in")
        }
        return output
    }

    private var gcmDecrypt: GCMParameters? {
        if case .decrypt(_, _, .gcm(let p)) = request { return p }
        return nil
    }

    /// Ends the operation: the digest or MAC, or the cipher's remaining output.
    public func finish() throws -> Reported<[UInt8]> {
        try state.withLock { s in
            guard !s.ended else { throw CryptoError(.argumentsBad, "\(request.mechanism): the stream has ended") }
            do {
                let output = try finish(&s)
                s.ended = true
                let stats = set.stats[index]
                stats.begin()
                stats.completed(servedIndex: ServedOperation(request.request(data: [])).index)
                framework.registry.kstatPublisher?.changed(framework.registry)
                return Reported(value: output, report: report())
            } catch {
                end(failing: &s)
                throw error
            }
        }
    }

    private func finish(_ s: inout State) throws -> [UInt8] {
        if let blockLength, !s.pending.isEmpty {
            throw CryptoError(.dataLengthRange, "\(request.mechanism) without padding needs whole \(blockLength)-byte blocks; \(s.total) bytes came")
        }
        if chunked { return [] }
        if let providerStream, gcmDecrypt == nil {
            let expected = finalOutputLength(s.total)
            let output = try providerStream.finish()
            guard output.count == expected else {
                throw CryptoError(.deviceError, "\(providerName) ended \(request.mechanism) with \(output.count) bytes, not \(expected)")
            }
            return output
        }
        let whole = request.request(data: s.gathered)
        s.gathered = []
        try whole.checkInputs()
        let provider = set.providers[index]
        _ = try provider.tableEntry(for: whole)
        switch try provider.perform(whole, context: context) {
        case .bytes(let bytes): return bytes
        case .secret(let secret): return secret.bytes
        default: throw CryptoError(.deviceError, "\(providerName) returned the wrong kind of result for \(request.mechanism)")
        }
    }

    /// Whole blocks of ECB or CBC as one request to the provider; CBC's next
    /// IV is the last ciphertext block (RFC 2040's chaining across calls).
    private func chunk(_ blocks: [UInt8], _ s: inout State) throws -> [UInt8] {
        let parameters: CipherParameters = s.chainedIV.isEmpty ? .none : .iv(s.chainedIV)
        let encrypting: Bool
        let part: CryptoRequest
        switch request {
        case .encrypt(let m, let key, _): (part, encrypting) = (.encrypt(m, key: key, parameters: parameters, data: blocks), true)
        case .decrypt(let m, let key, _): (part, encrypting) = (.decrypt(m, key: key, parameters: parameters, data: blocks), false)
        case .digest, .mac: throw CryptoError(.argumentsBad, "\(request.mechanism) is no cipher")
        }
        try part.checkInputs()
        let provider = set.providers[index]
        _ = try provider.tableEntry(for: part)
        guard case .bytes(let output) = try provider.perform(part, context: context) else {
            throw CryptoError(.deviceError, "\(providerName) returned the wrong kind of result for \(request.mechanism)")
        }
        if !s.chainedIV.isEmpty, let blockLength {
            s.chainedIV = Array((encrypting ? output : blocks).suffix(blockLength))
        }
        return output
    }

    private func end(failing s: inout State) {
        guard !s.ended else { return }
        s.ended = true
        s.gathered = []
        let stats = set.stats[index]
        stats.begin()
        stats.end(.error)
    }

    private func report() -> OperationReport {
        let modeled = context.snapshot
        return OperationReport(
            provider: providerName, mechanism: request.mechanism,
            operation: ServedOperation(request.request(data: [])).operationName,
            failovers: failovers.map { (set.descriptors[$0.0].name, $0.1) },
            hostNanoseconds: MonotonicClock.nanoseconds() &- start, modeledCycles: modeled.cycles, modeledSeconds: modeled.seconds,
            counts: modeled.counts, work: modeled.work, composedWith: nil)
    }
}

extension CryptoFramework {
    /// Begins a multi-part operation (``CryptoStream``) on the provider
    /// selection picks for it, as for one request: malformed parameters get
    /// the framework's one answer, a provider that cannot begin it
    /// recoverably is passed over, and with none left the error says why.
    public func beginStream(_ request: StreamRequest) throws -> CryptoStream {
        let probe = request.request(data: [])
        let key = SelectionKey(probe)
        var tried = TriedSet()
        var failures: [(Int, CryptoError)] = []
        var checked = false
        while true {
            let now = MonotonicClock.nanoseconds()
            guard let (index, set, _) = registry.select(key, tried: tried, pinned: pinnedIndex, now: now) else {
                throw registry.noProviderError(probe, failures: failures, pinned: pinnedIndex)
            }
            if !checked {
                switch request {
                case .encrypt(let m, _, let p), .decrypt(let m, _, let p): try CipherRules.checkParameters(m, p)
                case .digest, .mac: break
                }
                checked = true
            }
            tried.insert(index)
            let provider = set.providers[index]
            let context = OperationContext()
            do {
                _ = try provider.tableEntry(for: probe)
                let stream = try provider.beginStream(request, context: context)
                return CryptoStream(request, framework: self, index: index, set: set, providerStream: stream,
                                    context: context, start: now, failovers: failures)
            } catch let error as CryptoError where error.isRecoverable {
                failures.append((index, error))
            } catch let error as CryptoError {
                throw error
            } catch {
                failures.append((index, CryptoError(.deviceError, "\(set.descriptors[index].name): \(error)")))
            }
        }
    }
}
