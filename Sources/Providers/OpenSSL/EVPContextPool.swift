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
    private let idle = Locked<[RSAContextSetup: [EVPKeyContext]]>([:])

    /// Runs `body` with a context for `setup`, made by `make` if none is idle,
    /// and returns the context to the pool unless `body` threw.
    func withContext<R>(
        _ setup: RSAContextSetup, make: () throws -> EVPKeyContext, _ body: (EVPKeyContext) throws -> R
    ) throws -> R {
        let context = try idle.withLock { $0[setup]?.popLast() } ?? make()
        let result = try body(context)
        idle.withLock { pool in
            if pool[setup, default: []].count < Self.limitPerSetup { pool[setup, default: []].append(context) }
        }
        return result
    }
}
