internal import CLibCrypto
import CryptoFramework
import Synchronization

/// How an RSA signature context is set up: operation, padding and digests.
/// Two requests with the same setup can share an initialised context.
struct RSAContextSetup: Hashable, Sendable {
    enum Operation: Hashable, Sendable { case sign, verify }
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
final class EVPContextPool: Sendable {
    /// Idle contexts kept per setup; enough for the threads of a busy process.
    static let limitPerSetup = 16
    /// Per setup, its idle contexts. A key sees one or two setups, so a linear
    /// search by `==` beats hashing the setup twice per operation.
    private let idle = Locked<[(setup: RSAContextSetup, contexts: [EVPKeyContext])]>([])

    /// Runs `body` with a context for `setup`, made by `make` if none is idle,
    /// and returns the context to the pool unless `body` threw.
    func withContext<R>(
        _ setup: RSAContextSetup, make: () throws -> EVPKeyContext, _ body: (EVPKeyContext) throws -> R
    ) throws -> R {
        let pooled = idle.withLock { pool -> EVPKeyContext? in
            guard let i = pool.firstIndex(where: { $0.setup == setup }) else { return nil }
            return pool[i].contexts.popLast()
        }
        let context = try pooled ?? make()
        let result = try body(context)
        idle.withLock { pool in
            if let i = pool.firstIndex(where: { $0.setup == setup }) {
                if pool[i].contexts.count < Self.limitPerSetup { pool[i].contexts.append(context) }
            } else {
                pool.append((setup, [context]))
            }
        }
        return result
    }
}
