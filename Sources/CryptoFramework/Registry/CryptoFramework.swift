import Foundation

/// The framework as applications see it: ask for a mechanism, and the registry
/// picks a provider under the administrator's policy, retrying elsewhere on a
/// recoverable failure. Every operation exists in a synchronous and an async
/// form; async callers waiting on a device queue hold no thread.
public final class CryptoFramework: Sendable {
    let registry: Registry
    /// Index of the one provider this view uses (see ``pinned(to:)``), or nil.
    let pinnedIndex: Int?

    /// A framework over `platform`'s providers, under `policy`. `warn` receives
    /// what the framework has to say on its own (a changed policy file it could
    /// not apply); by default it goes to standard error. A guest in someone
    /// else's process (the PKCS#11 module) passes its own sink. With a
    /// `kstatDirectory` (by default `$CRYPTOFRAMEWORK_KSTAT_DIR`, when set) it
    /// publishes its providers' counters there for `cryptoadm kstat`.
    public init(
        platform: Platform, policy: PolicySource = .default,
        warn: @escaping @Sendable (String) -> Void = CryptoFramework.warnOnStandardError,
        kstatDirectory: URL? = KstatDirectory.fromEnvironment()
    ) throws {
        registry = try Registry(platform: platform, policy: policy, warn: warn, kstatDirectory: kstatDirectory)
        pinnedIndex = nil
    }

    /// The default sink of ``init(platform:policy:warn:)``: one line on standard error.
    public static let warnOnStandardError: @Sendable (String) -> Void = { StandardError.write($0 + "\n") }

    private init(registry: Registry, pinnedIndex: Int?) {
        self.registry = registry
        self.pinnedIndex = pinnedIndex
    }

    public var platform: Platform { registry.platform }

    /// Every provider of the platform (active or not), in registration order.
    public var providers: [ProviderDescriptor] { registry.descriptors }

    /// The provider objects, for provider-specific views (kstats, fault injection).
    public func provider(named name: String) -> (any CryptoProvider)? {
        registry.index(of: name).map { registry.providers[$0] }
    }

    /// Why the installed PKCS#11 module `path` could not be loaded (it is then
    /// listed in the FAILED state), or nil when it loaded or is not installed.
    public func loadError(provider path: String) -> CryptoError? { registry.loadErrors[path] }

    /// Counters of the provider called `name`.
    public func stats(for name: String) -> ProviderStatsSnapshot? {
        registry.index(of: name).map { registry.stats[$0].snapshot }
    }

    /// The providers that may serve `operation` (its CKF flag, e.g. `.sign`)
    /// of `mechanism` at `keyBits` (on `curve`, for an EC mechanism) now — the
    /// registry's own candidate filter (policy, key-size range and curves, flag,
    /// not FAILED; Selection rule 1) — in the order default selection prefers
    /// them before load (rule 2, with the platform's ``DeviceRanking``). A
    /// pinned view lists its provider alone, if eligible.
    public func eligibleProviders(for mechanism: Mechanism, operation: MechanismFlags, keyBits: Int?, curve: ECCurve? = nil) -> [String] {
        let descriptors = registry.descriptors
        return registry.eligible(mechanism: mechanism, flag: operation, keyBits: keyBits, curve: curve)
            .filter { pinnedIndex == nil || $0 == pinnedIndex }
            .map { descriptors[$0].name }
    }

    /// A view of this framework that uses provider `name` alone (still under the policy).
    public func pinned(to name: String) throws -> CryptoFramework {
        guard let index = registry.index(of: name) else {
            let known = registry.descriptors.map(\.name).joined(separator: ", ")
            throw CryptoError(.unknownProvider, "no provider named \(name) on platform \(registry.platform.name) (known: \(known))")
        }
        return CryptoFramework(registry: registry, pinnedIndex: index)
    }

    // MARK: Policy

    /// The policy in force now.
    public var policy: Policy { registry.policy }

    /// A number raised whenever the registry's selection data change: a
    /// policy set, a policy file re-read with a change (back to an earlier
    /// policy too), a module attached. What a caller computes from ``policy``,
    /// ``providers`` and ``loadError(provider:)`` alone may be kept against it
    /// if the number read before the computation is still the number after it
    /// (the PKCS#11 module's mechanism checks in every C_*Init). Reading it
    /// checks the policy file when due, as a request does.
    public var selectionGeneration: UInt64 { registry.selectionGeneration }

    /// Whether a provider is loaded under the current policy.
    public func isActive(provider name: String) -> Bool { registry.policy.isActive(provider: name) }

    /// Replaces the policy in memory; the next request obeys it. (A file-backed
    /// framework goes back to its file when the file next changes.)
    public func setPolicy(_ policy: Policy) { registry.setPolicy(policy) }

    /// Re-reads the policy file now instead of at the next periodic check.
    public func reloadPolicy() throws { try registry.reloadPolicy() }

    /// The policies applied since the framework started (the latest 64), oldest first.
    public var policyChanges: [PolicyChange] { registry.policyChanges }

    /// Why the last change to the policy file was not applied, if it was not.
    public var policyLoadError: CryptoError? { registry.policyLoadError }

    // MARK: Requests

    /// Serves `request` on the best provider, failing over as docs/DESIGN.md's rules say;
    /// a malformed request is refused once a provider could take it (after the
    /// mechanism and key-size checks, as PKCS#11's C_SignInit comes before C_Sign),
    /// the same way whoever would serve it.
    public func perform(_ request: CryptoRequest) throws -> Reported<CryptoResult> {
        var attempts = Attempts()
        let key = SelectionKey(request)
        while true {
            let (index, set, start, composed) = try nextProvider(for: request, key, &attempts)
            var raw: CryptoRequest?
            if let composed {
                // Rule 6: the digest half (once per request, on software), then the raw half on the device.
                guard let half = try composedHalf(request, composed, index, set, &attempts) else { continue }
                raw = half
            }
            // The request itself (not a composed raw half) was checked in nextProvider.
            let context = OperationContext(inputsChecked: raw == nil)
            let result: CryptoResult
            do {
                if let raw {
                    result = try set.providers[index].perform(raw, context: context)
                } else {
                    result = try set.providers[index].perform(request, context: context)
                }
            } catch {
                try failed(error, index, set, &attempts)
                continue
            }
            if let done = succeeded(result, request, raw, key, index, set, since: start, context, &attempts) { return done }
        }
    }

    /// The async form of ``perform(_:)``: a device queue is awaited, not blocked on.
    public func perform(_ request: CryptoRequest) async throws -> Reported<CryptoResult> {
        var attempts = Attempts()
        let key = SelectionKey(request)
        while true {
            let (index, set, start, composed) = try nextProvider(for: request, key, &attempts)
            var raw: CryptoRequest?
            if let composed {
                // Rule 6: the digest half (once per request, on software), then the raw half on the device.
                guard let half = try await composedHalfAsync(request, composed, index, set, &attempts) else { continue }
                raw = half
            }
            // The request itself (not a composed raw half) was checked in nextProvider.
            let context = OperationContext(inputsChecked: raw == nil)
            let result: CryptoResult
            do {
                if let raw {
                    result = try await set.providers[index].performAsync(raw, context: context)
                } else {
                    result = try await set.providers[index].performAsync(request, context: context)
                }
            } catch {
                try failed(error, index, set, &attempts)
                continue
            }
            if let done = succeeded(result, request, raw, key, index, set, since: start, context, &attempts) { return done }
        }
    }

    /// One request's attempts so far: who was tried, and why each failed.
    struct Attempts: ~Copyable {
        var tried: TriedSet
        var failures: [(Int, CryptoError)] = []
        var inputsChecked = false
        /// Rule 6's digest half, kept for every composed attempt of the request.
        var digest: DigestHalf?
        init() { tried = TriedSet() }
    }

    /// Rules 1-2 and 6: the next provider to try, with the composition when it
    /// is to serve the raw half, counted as begun (a composed attempt once its
    /// digest half is done), and the attempt's start time (one clock read serves
    /// the policy check and the report); or the error that says why nothing
    /// (more) can serve the request.
    private func nextProvider(
        for request: CryptoRequest, _ key: SelectionKey, _ attempts: inout Attempts
    ) throws -> (Int, ProviderSet, UInt64, ComposedCandidates?) {
        let now = MonotonicClock.nanoseconds()
        guard let (index, set, composed) = registry.select(key, tried: attempts.tried, pinned: pinnedIndex, now: now) else {
            throw registry.noProviderError(request, failures: attempts.failures, pinned: pinnedIndex)
        }
        if !attempts.inputsChecked {
            try request.checkInputs()
            attempts.inputsChecked = true
        }
        attempts.tried.insert(index)
        if composed == nil { set.stats[index].begin() }
        return (index, set, now, composed)
    }

    /// A result to release with its report (rule 5 first: a hardware RSA
    /// private result is checked), or nil when the check discarded it and the
    /// next provider is to be tried.
    /// `raw` is the raw half the device served when the request was composed
    /// (rule 6): rule 5 checks that half.
    private func succeeded(
        _ result: consuming CryptoResult, _ request: CryptoRequest, _ raw: CryptoRequest?, _ key: SelectionKey,
        _ index: Int, _ set: ProviderSet, since start: UInt64, _ context: OperationContext, _ attempts: inout Attempts
    ) -> Reported<CryptoResult>? {
        let elapsed = MonotonicClock.nanoseconds() &- start
        let stats = set.stats[index]
        if key.isRSAPrivateOperation, set.descriptors[index].isHardware(forValue: raw?.mechanism.value ?? key.mechanism),
            let problem = checkHardwareSignature(raw ?? request, result)
        {
            stats.end(.checkFailed)
            let name = set.descriptors[index].name
            attempts.failures.append((index, CryptoError(.deviceError,
                "\(name) returned a signature that failed the s^e mod n check (\(problem)); discarded")))
            return nil
        }
        stats.completed(servedIndex: key.servedIndex)
        registry.kstatPublisher?.changed(registry)
        let report = raw == nil
            ? report(request, key, index, set, attempts.failures, elapsed, context)
            : composedReport(request, raw!, key, index, set, attempts, elapsed, since: start, context)
        return Reported(value: result, report: report)
    }

    /// Rule 3 on a provider's error: returns to try the next provider, or throws.
    func failed(
        _ error: any Error, _ index: Int, _ set: ProviderSet, _ attempts: inout Attempts
    ) throws {
        let stats = set.stats[index]
        guard let error = error as? CryptoError else {
            // A provider threw something other than CryptoError: treat it as a device error.
            stats.end(.failedOver)
            attempts.failures.append((index, CryptoError(.deviceError, "\(set.descriptors[index].name): \(error)")))
            return
        }
        guard error.isRecoverable else {
            stats.end(.error)
            throw error
        }
        stats.end(.failedOver)
        attempts.failures.append((index, error))
    }

    private func report(
        _ request: CryptoRequest, _ key: SelectionKey, _ index: Int, _ set: ProviderSet, _ failures: [(Int, CryptoError)],
        _ elapsed: UInt64, _ context: OperationContext
    ) -> OperationReport {
        let modeled = context.snapshot
        return OperationReport(
            provider: set.descriptors[index].name, mechanism: key.requested,
            operation: key.served.operationName,
            // Mapping even an empty array costs a generic metadata look-up: skip it on the common path.
            failovers: failures.isEmpty ? [] : failures.map { (set.descriptors[$0.0].name, $0.1) },
            hostNanoseconds: elapsed, modeledCycles: modeled.cycles, modeledSeconds: modeled.seconds,
            counts: modeled.counts, work: modeled.work, composedWith: nil)
    }

    /// Rule 5 (Bellcore): recompute s^e mod n in software, independently of the
    /// device, and compare with what the signature must encode. Returns nil when
    /// the signature is good, else what was wrong.
    ///
    /// The check is a verify on the preferred software provider (on this thread,
    /// never the device under check, and not counted as a served request); only
    /// when none may serve it, or that provider throws, does the framework's own
    /// arithmetic decide, so the check never disappears.
    private func checkHardwareSignature(_ request: CryptoRequest, _ result: CryptoResult) -> String? {
        guard case .sign(let mechanism, let key, let data, let pss) = request,
            case .bytes(let signature) = result, let scheme = RSAScheme(mechanism)
        else { return "unexpected result type" }
        let pub = key.publicKey
        let verify = CryptoRequest.verify(mechanism, key: pub, data: data, signature: signature, pss: pss)
        if case .verified(let ok)? = try? performOnSoftwareProvider(verify) {
            return ok ? nil : "signature does not verify"
        }
        do {
            let ok = try RSASignatureVerifier.verify(
                scheme: scheme, key: pub, data: data, signature: signature, pss: pss,
                publicOperation: { try SoftwareRSAPublicOperation.apply($0, key: pub) },
                hash: { algorithm, bytes in
                    let request = CryptoRequest.digest(algorithm.digestMechanism, data: bytes)
                    guard let result = try self.performOnSoftwareProvider(request) else {
                        throw CryptoError(.mechanismNotSupported, "no software provider may compute \(algorithm) for the check")
                    }
                    return try result.bytes
                })
            return ok ? nil : "signature does not verify"
        } catch {
            return "could not check: \(error)"
        }
    }

    /// Serves one of the framework's own check requests on the preferred software
    /// provider allowed to, or nil when none may. It calls the provider directly:
    /// on this thread (a device queue would block it, even in the async path),
    /// never on a device, and outside selection, so no stats count it; an emulated
    /// provider does not hold it for its modeled time (``OperationContext/isFrameworkCheck``).
    private func performOnSoftwareProvider(_ request: CryptoRequest) throws -> CryptoResult? {
        guard let index = registry.softwareProvider(for: request) else { return nil }
        return try registry.providers[index].perform(request, context: OperationContext(isFrameworkCheck: true))
    }
}

/// s ↦ s^e mod n with the framework's own Montgomery arithmetic, independent
/// of every provider; used only for public (non-secret) checks. The modulus
/// set-up (R² mod n) is cached behind the key.
enum SoftwareRSAPublicOperation {
    static func apply(_ signature: [UInt8], key: RSAPublicKey) throws -> [UInt8] {
        let modulus = key.handles.handle("framework.montgomery") { PublicMontgomeryModulus(modulus: key.modulus) }
        guard let m = modulus.power(signature, exponent: key.publicExponent) else {
            throw CryptoError(.signatureInvalid, "signature value is not below the modulus")
        }
        return m
    }
}
