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

/// Initialised EVP_PKEY_CTXs of one key, kept for reuse: creating and
/// initialising a context costs a provider fetch and parameter set-up on
/// every operation, as much as 5 % of an RSA-2048 signature
/// (`openssl speed` likewise keeps one context per key). A context is used by
/// one thread at a time: it is taken out of the pool for the operation.
///
/// The pool takes no lock on the request path: per setup, idle contexts sit in
/// an ``ObjectPool``. The per-setup list only grows (a key sees one or two setups) and is
/// published as an immutable array, like ``KeyHandleCache``'s entries.
final class EVPContextPool: Sendable {
    /// Idle contexts kept per setup; enough for the threads of a busy process.
    static let limitPerSetup = 16

    private final class Idle: Sendable {
        let setup: RSAContextSetup
        let contexts = ObjectPool<EVPKeyContext>(capacity: EVPContextPool.limitPerSetup)
        init(_ setup: RSAContextSetup) { self.setup = setup }
    }

    private final class Setups: Sendable {
        let idle: [Idle]
        init(_ idle: [Idle]) { self.idle = idle }
    }

    /// The setups in force, read without a lock; every list published stays alive with the pool.
    private let published: Atomic<Unmanaged<Setups>>
    private let lists: Locked<[Setups]>

    init() {
        let empty = Setups([])
        published = Atomic(Unmanaged.passUnretained(empty))
        lists = Locked([empty])
    }

    private func idle(for setup: RSAContextSetup) -> Idle {
        if let found = published.load(ordering: .acquiring).takeUnretainedValue().idle.first(where: { $0.setup == setup }) {
            return found
        }
        return lists.withLock { lists in
            let current = published.load(ordering: .acquiring).takeUnretainedValue()
            if let raced = current.idle.first(where: { $0.setup == setup }) { return raced }
            let made = Idle(setup)
            let next = Setups(current.idle + [made])
            lists.append(next)
            published.store(Unmanaged.passUnretained(next), ordering: .releasing)
            return made
        }
    }

    /// Runs `body` with a context for `setup`, made by `make` if none is idle,
    /// and returns the context to the pool unless `body` threw.
    func withContext<R>(
        _ setup: RSAContextSetup, make: () throws -> EVPKeyContext, _ body: (EVPKeyContext) throws -> R
    ) throws -> R {
        let idle = idle(for: setup)
        let context = try idle.contexts.take() ?? make()
        let result = try body(context)
        idle.contexts.put(context)
        return result
    }
}
