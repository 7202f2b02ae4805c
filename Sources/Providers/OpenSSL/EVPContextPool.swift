internal import CLibCrypto
import CryptoFramework

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
}

/// Initialised EVP_PKEY_CTXs of one key, kept for reuse: creating and
/// initialising a context costs a provider fetch and parameter set-up on
/// every operation, as much as 5 % of an RSA-2048 signature
/// (`openssl speed` likewise keeps one context per key). A context is used by
/// one thread at a time: it is taken out of the pool for the operation.
///
/// The pool takes no lock on the request path: per setup, idle contexts sit in
/// an ``ObjectPool``. The per-setup list only grows (a key sees one or two
/// setups) and is ``Published``, like ``KeyHandleCache``'s entries.
final class EVPContextPool: Sendable {
    /// Idle contexts kept per setup; enough for the threads of a busy process.
    static let limitPerSetup = 16

    private final class Idle: Sendable {
        let setup: EVPContextSetup
        let contexts = ObjectPool<EVPKeyContext>(capacity: EVPContextPool.limitPerSetup)
        init(_ setup: EVPContextSetup) { self.setup = setup }
    }

    private final class Setups: Sendable {
        let idle: [Idle]
        init(_ idle: [Idle]) { self.idle = idle }
    }

    /// The setups in force, read without a lock.
    private let setups = Published(Setups([]))

    private func idle(for setup: EVPContextSetup) -> Idle {
        if let found = setups.value.idle.first(where: { $0.setup == setup }) { return found }
        return setups.update { current, _ in
            if let raced = current.idle.first(where: { $0.setup == setup }) { return (current, raced) }
            let made = Idle(setup)
            return (Setups(current.idle + [made]), made)
        }
    }

    /// Runs `body` with a context for `setup`, made by `make` if none is idle,
    /// and returns the context to the pool unless `body` threw.
    func withContext<R>(
        _ setup: EVPContextSetup, make: () throws -> EVPKeyContext, _ body: (EVPKeyContext) throws -> R
    ) throws -> R {
        try idle(for: setup).contexts.borrow(make: make, body)
    }
}
