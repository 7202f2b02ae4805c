// Selection rule 6 (docs/DESIGN.md, "Rule 6: composed mechanisms"): a
// hash-and-sign request served as a digest on software and the raw mechanism
// on a device. Selection (Registry.select) chooses the device; this file runs
// the digest half, forms the raw half and reports both.

/// The digest half of a composed request, computed once and kept for every
/// composed attempt of the request (a device failure loses nothing).
struct DigestHalf {
    let provider: Int
    /// When the digest half began (to tell whether the reporting attempt's time includes it).
    let start: UInt64
    let mechanism: Mechanism
    let digest: [UInt8]
    let hostNanoseconds: UInt64
    let modeledCycles: Double?
    let modeledSeconds: Double?
    let counts: [String: Int]
}

extension CryptoFramework {
    /// The raw half of `request` for device `index`, after the digest half;
    /// nil when this attempt cannot go on (the failure is recorded, the device
    /// stays tried, and the loop selects again). Throws a final error.
    func composedHalf(
        _ request: CryptoRequest, _ composed: ComposedCandidates, _ index: Int, _ set: ProviderSet,
        _ attempts: inout Attempts
    ) throws -> CryptoRequest? {
        if attempts.digest == nil, composed.composition.rawInput == .pssEncoding {
            let salt = { (count: Int) throws -> Reported<CryptoResult> in try self.perform(.random(count: count)) }
            guard try pssEncodingHalf(request, composed, index, set, &attempts, drawnSalt: nil, drawSalt: salt) else { return nil }
        }
        if attempts.digest == nil {
            guard let (digester, digestRequest) = digestRequest(request, composed, index, set, &attempts) else { return nil }
            let context = OperationContext()
            let start = MonotonicClock.nanoseconds()
            let result: CryptoResult
            do {
                result = try set.providers[digester].perform(digestRequest, context: context)
            } catch {
                try failed(error, digester, set, &attempts)
                return nil
            }
            guard keepDigest(result, composed, digester, set, since: start, context, &attempts) else { return nil }
        }
        return rawRequest(request, composed, index, set, &attempts)
    }

    /// ``composedHalf(_:_:_:_:_:)`` with the digest half awaited.
    func composedHalfAsync(
        _ request: CryptoRequest, _ composed: ComposedCandidates, _ index: Int, _ set: ProviderSet,
        _ attempts: inout Attempts
    ) async throws -> CryptoRequest? {
        if attempts.digest == nil, composed.composition.rawInput == .pssEncoding {
            // The salt may come from a device (ncp/0, n2rng/0): awaited here, so no pool
            // thread waits on its queue; the hashes are software work on the digest provider.
            var drawn: Reported<CryptoResult>?
            if case .sign(_, let key, _, let pss?) = request, pss.saltLength > 0, pss.saltLength <= key.publicKey.byteCount {
                drawn = try await perform(.random(count: pss.saltLength))
            }
            let salt = { (count: Int) throws -> Reported<CryptoResult> in try self.perform(.random(count: count)) }
            guard try pssEncodingHalf(request, composed, index, set, &attempts, drawnSalt: drawn, drawSalt: salt) else { return nil }
        }
        if attempts.digest == nil {
            guard let (digester, digestRequest) = digestRequest(request, composed, index, set, &attempts) else { return nil }
            let context = OperationContext()
            let start = MonotonicClock.nanoseconds()
            let result: CryptoResult
            do {
                result = try await set.providers[digester].performAsync(digestRequest, context: context)
            } catch {
                try failed(error, digester, set, &attempts)
                return nil
            }
            guard keepDigest(result, composed, digester, set, since: start, context, &attempts) else { return nil }
        }
        return rawRequest(request, composed, index, set, &attempts)
    }

    /// Rule 6 for PSS: the software half is the whole EMSA-PSS encoding (RFC
    /// 8017 §9.1.1), kept in `attempts.digest` as the raw half's input. The
    /// request's inputs and parameters pass the same rules (``RSASignatureInput``)
    /// as on a provider serving it whole, so the same request gets the same
    /// error; every hash (the message, M', MGF1) is a digest request on the
    /// digest provider, and the salt comes from the random mechanism (a request
    /// of its own, reported and counted as `random` where it is served).
    /// False when this attempt cannot go on (the failure is recorded).
    ///
    /// `drawnSalt` is a salt already drawn (the async path awaits it), used when
    /// its length is the one the parameters ask; otherwise `drawSalt` draws it.
    /// A salt drawn for a request that then fails its input checks is simply unused.
    private func pssEncodingHalf(
        _ request: CryptoRequest, _ composed: ComposedCandidates, _ index: Int, _ set: ProviderSet,
        _ attempts: inout Attempts, drawnSalt: Reported<CryptoResult>?, drawSalt: (Int) throws -> Reported<CryptoResult>
    ) throws -> Bool {
        guard case .sign(let mechanism, let key, let data, let pss) = request, let scheme = RSAScheme(mechanism),
            let digester = registry.digester(composed, set)
        else {
            attempts.failures.append((index, CryptoError(.providerFailed,
                "no software provider may encode \(request.mechanism) for CKM_RSA_X_509 on \(set.descriptors[index].name)")))
            return false
        }
        let provider = set.providers[digester]
        let context = OperationContext()
        var lastHash = composed.composition.digest
        let hash: HashFunction = { algorithm, bytes in
            lastHash = algorithm.digestMechanism
            guard case .bytes(let digest) = try provider.perform(.digest(algorithm.digestMechanism, data: bytes), context: context),
                digest.count == algorithm.digestLength
            else {
                throw CryptoError(.deviceError, "\(set.descriptors[digester].name) returned no \(algorithm.digestMechanism) digest")
            }
            return digest
        }
        set.stats[digester].begin()
        let start = MonotonicClock.nanoseconds()
        let encoded: [UInt8]
        let messageHash: Mechanism
        do {
            guard case .pss(let mHash, let parameters) = try RSASignatureInput.prepare(
                scheme: scheme, key: key.publicKey, data: data, pss: pss, hash: hash)
            else {
                throw CryptoError(.mechanismInvalid, "\(mechanism) is not a PSS mechanism")
            }
            messageHash = parameters.hash.digestMechanism
            var salt: [UInt8] = []
            if parameters.saltLength > 0 {
                let drawn: Reported<CryptoResult>
                if let drawnSalt, case .bytes(let given) = drawnSalt.value, given.count == parameters.saltLength {
                    drawn = drawnSalt
                } else {
                    drawn = try drawSalt(parameters.saltLength)
                }
                guard case .bytes(let random) = drawn.value, random.count == parameters.saltLength
                else {
                    throw CryptoError(.deviceError, "the random mechanism returned no \(parameters.saltLength)-byte PSS salt")
                }
                salt = random
            }
            encoded = try RSAPadding.pssEncode(
                mHash: mHash, emBits: key.bits - 1, salt: salt, parameters: parameters, hash: hash)
        } catch {
            if let error = error as? CryptoError, !error.isRecoverable {
                set.stats[digester].end(.error)
                throw error
            }
            set.stats[digester].end(.failedOver)
            attempts.failures.append((digester, error as? CryptoError
                ?? CryptoError(.deviceError, "\(set.descriptors[digester].name) (\(lastHash)): \(error)")))
            return false
        }
        keepDigestHalf(digester, messageHash, encoded, set, since: start, context, &attempts)
        return true
    }

    /// Records the digest half as completed by `digester`, with its host time and modeled cost.
    private func keepDigestHalf(
        _ digester: Int, _ mechanism: Mechanism, _ digest: [UInt8], _ set: ProviderSet,
        since start: UInt64, _ context: OperationContext, _ attempts: inout Attempts
    ) {
        let elapsed = MonotonicClock.nanoseconds() &- start
        set.stats[digester].completed(servedIndex: ServedOperation.digest.index)
        let modeled = context.snapshot
        attempts.digest = DigestHalf(
            provider: digester, start: start, mechanism: mechanism, digest: digest, hostNanoseconds: elapsed,
            modeledCycles: modeled.cycles, modeledSeconds: modeled.seconds, counts: modeled.counts)
    }

    /// The software provider for the digest half, counted as begun, and its request.
    private func digestRequest(
        _ request: CryptoRequest, _ composed: ComposedCandidates, _ index: Int, _ set: ProviderSet,
        _ attempts: inout Attempts
    ) -> (Int, CryptoRequest)? {
        let mechanism = composed.composition.digest
        guard let digester = registry.digester(composed, set), let data = request.signedData else {
            attempts.failures.append((index, CryptoError(.providerFailed,
                "no software provider may compute \(mechanism) for \(request.mechanism) composed on \(set.descriptors[index].name)")))
            return nil
        }
        set.stats[digester].begin()
        return (digester, .digest(mechanism, data: data))
    }

    /// Keeps the digest half's result in `attempts`; false (recorded as the
    /// digest provider's device error) when it is not a digest.
    private func keepDigest(
        _ result: CryptoResult, _ composed: ComposedCandidates, _ digester: Int, _ set: ProviderSet,
        since start: UInt64, _ context: OperationContext, _ attempts: inout Attempts
    ) -> Bool {
        let mechanism = composed.composition.digest
        guard case .bytes(let digest) = result, digest.count == HashAlgorithm(digestMechanism: mechanism)?.digestLength else {
            set.stats[digester].end(.failedOver)
            attempts.failures.append((digester, CryptoError(.deviceError, "\(set.descriptors[digester].name) returned no \(mechanism) digest")))
            return false
        }
        keepDigestHalf(digester, mechanism, digest, set, since: start, context, &attempts)
        return true
    }

    /// The raw half over the kept digest, with the device counted as begun.
    private func rawRequest(
        _ request: CryptoRequest, _ composed: ComposedCandidates, _ index: Int, _ set: ProviderSet,
        _ attempts: inout Attempts
    ) -> CryptoRequest? {
        guard let raw = request.rawHalf(composed.composition, digest: attempts.digest!.digest) else {
            attempts.failures.append((index, CryptoError(.mechanismInvalid,
                "\(request.mechanism) with these parameters cannot be composed over \(composed.composition.raw)")))
            return nil
        }
        set.stats[index].begin()
        return raw
    }

    /// The report of a composed request: the device served `raw`; the digest
    /// half is named in ``OperationReport/composedWith``; times and counts are both halves'.
    func composedReport(
        _ request: CryptoRequest, _ raw: CryptoRequest, _ key: SelectionKey, _ index: Int, _ set: ProviderSet,
        _ attempts: borrowing Attempts, _ elapsed: UInt64, since start: UInt64, _ context: OperationContext
    ) -> OperationReport {
        let digest = attempts.digest!
        let modeled = context.snapshot
        func sum(_ a: Double?, _ b: Double?) -> Double? { a == nil && b == nil ? nil : (a ?? 0) + (b ?? 0) }
        return OperationReport(
            provider: set.descriptors[index].name, mechanism: request.mechanism,
            operation: key.served.operationName,
            failovers: attempts.failures.map { (set.descriptors[$0.0].name, $0.1) },
            // An attempt that computed the digest half timed it already; a later one adds it.
            hostNanoseconds: digest.start >= start ? elapsed : elapsed &+ digest.hostNanoseconds,
            modeledCycles: sum(modeled.cycles, digest.modeledCycles),
            modeledSeconds: sum(modeled.seconds, digest.modeledSeconds),
            counts: modeled.counts.merging(digest.counts, uniquingKeysWith: +), work: modeled.work,
            composedWith: ComposedHalves(
                rawMechanism: raw.mechanism, digestProvider: set.descriptors[digest.provider].name,
                digestMechanism: digest.mechanism, digestHostNanoseconds: digest.hostNanoseconds,
                digestModeledSeconds: digest.modeledSeconds))
    }
}
