internal import CLibCrypto
import CryptoFramework
import Synchronization

/// How an RSA signature context is set up: operation, padding and digests.
/// Two requests with the same setup can share an initialised context.
struct RSAContextSetup: Hashable, Sendable {
    enum Operation: Hashable, Sendable { case sign }
    let operation: Operation
    let padding: Int32
    let signatureDigest: HashAlgorithm?
    let mgf1Digest: HashAlgorithm?
    let saltLength: Int32?
}

/// What an initialised context of a key is for; one pool per setup.
enum EVPContextSetup: Hashable, Sendable {
    case rsa(RSAContextSetup)
    /// EVP_PKEY_sign_init on an EC key, no digest: ECDSA over the caller's hash.
    case ecdsaSign
    /// EVP_PKEY_verify_init on an EC key, no digest.
    case ecdsaVerify
    /// EVP_PKEY_derive_init on an EC or X25519 key; the peer is set per request.
    case derive
    /// EVP_DigestSignInit_ex on an Ed25519 key, no digest (a ``DigestContext``).
    case eddsaSign
    /// EVP_DigestVerifyInit_ex on an Ed25519 key, no digest (a ``DigestContext``).
    case eddsaVerify
}

/// What an ``EVPContextPool`` keeps: an ``EVPKeyContext`` (EVP_PKEY_CTX) or a
/// ``DigestContext`` (EVP_MD_CTX). Each setup holds one kind only, so a
/// context taken for a setup is of the kind its `make` builds.
class PooledContext: @unchecked Sendable {}  // used by one thread at a time: the pool hands it out exclusively

/// Initialised EVP_PKEY_CTXs of one key, kept for reuse: creating and
/// initialising a context costs a provider fetch and parameter set-up on
/// every operation, as much as 5 % of an RSA-2048 signature
/// (`openssl speed` likewise keeps one context per key). A context is used by
/// one thread at a time: it is taken out of the pool for the operation.
///
/// The pool takes no lock on the request path: per setup, idle contexts sit in
/// an ``ObjectPool``. A key sees one setup in the common case (an ephemeral
/// ECDH key derives, a signing key signs), so the first setup's pool sits
/// alone in an atomic slot, set once; further setups go in a list that only
/// grows and is ``Published``, like ``KeyHandleCache``'s entries, made when
/// the second setup comes. A key that is never used for an operation (a
/// peer's point imported for one derivation) makes neither: the eagerly made
/// list cost four allocations per key (publisher, lock, kept array, empty
/// list) and three more on its first setup.
final class EVPContextPool: Sendable {
    /// Idle contexts kept per setup; enough for the threads of a busy process.
    static let limitPerSetup = 16

    private final class Idle: Sendable {
        let setup: EVPContextSetup
        let contexts = ObjectPool<PooledContext>(capacity: EVPContextPool.limitPerSetup)
        init(_ setup: EVPContextSetup) { self.setup = setup }
    }

    private final class Setups: Sendable {
        let idle: [Idle]
        init(_ idle: [Idle]) { self.idle = idle }
    }

    /// The first setup's pool, set once (compare-and-exchange from nil);
    /// holds a +1 reference released in deinit.
    private let first = Atomic<Unmanaged<Idle>?>(nil)
    /// The other setups, read without a lock; made on the second setup.
    /// Holds a +1 reference released in deinit.
    private let others = Atomic<Unmanaged<Published<Setups>>?>(nil)

    init() {}

    deinit {
        first.load(ordering: .acquiring)?.release()
        others.load(ordering: .acquiring)?.release()
    }

    private func idle(for setup: EVPContextSetup) -> Idle {
        if let held = first.load(ordering: .acquiring)?.takeUnretainedValue() {
            if held.setup == setup { return held }
        } else {
            let made = Unmanaged.passRetained(Idle(setup))
            let (exchanged, original) = first.compareExchange(expected: nil, desired: made, ordering: .acquiringAndReleasing)
            if exchanged { return made.takeUnretainedValue() }
            made.release()
            if original!.takeUnretainedValue().setup == setup { return original!.takeUnretainedValue() }
        }
        let list = othersList
        if let found = list.value.idle.first(where: { $0.setup == setup }) { return found }
        return list.update { current, _ in
            if let raced = current.idle.first(where: { $0.setup == setup }) { return (current, raced) }
            let made = Idle(setup)
            return (Setups(current.idle + [made]), made)
        }
    }

    /// The list of setups after the first, made and installed on first use
    /// (two threads racing here both get the one installed).
    private var othersList: Published<Setups> {
        if let box = others.load(ordering: .acquiring) { return box.takeUnretainedValue() }
        let made = Unmanaged.passRetained(Published(Setups([])))
        let (exchanged, original) = others.compareExchange(expected: nil, desired: made, ordering: .acquiringAndReleasing)
        if exchanged { return made.takeUnretainedValue() }
        made.release()
        return original!.takeUnretainedValue()
    }

    /// Runs `body` with a context for `setup`, made by `make` if none is idle,
    /// and returns the context to the pool unless `body` threw.
    func withContext<R>(
        _ setup: EVPContextSetup, make: () throws -> EVPKeyContext, _ body: (EVPKeyContext) throws -> R
    ) throws -> R {
        try borrow(setup, make: make, body)
    }

    /// As ``withContext(_:make:_:)``, for the EVP_MD_CTX setups (`.eddsaSign`, `.eddsaVerify`).
    func withDigestContext<R>(
        _ setup: EVPContextSetup, make: () throws -> DigestContext, _ body: (DigestContext) throws -> R
    ) throws -> R {
        try borrow(setup, make: make, body)
    }

    private func borrow<Context: PooledContext, R>(
        _ setup: EVPContextSetup, make: () throws -> Context, _ body: (Context) throws -> R
    ) throws -> R {
        try idle(for: setup).contexts.borrow(make: make) { pooled in
            // Every context under `setup` came from a `make` of this setup's kind (checked in debug builds).
            try body(unsafeDowncast(pooled, to: Context.self))
        }
    }
}
