import CryptoFramework
import Synchronization

/// A provider for registry tests whose behaviour the test scripts: it answers
/// `.bytes(Array(name.utf8))` so the test sees who served, or throws what it is told.
final class ScriptedProvider: CryptoProvider {
    let descriptor: ProviderDescriptor
    private let state = Locked(State())

    struct State {
        var failure: CryptoError?
        var failuresLeft = Int.max
        var load = 0
        var failed = false
        var served = 0
    }

    init(_ name: String, kind: ProviderKind? = nil, mechanisms: [MechanismInfo]) {
        descriptor = ProviderDescriptor(name: name, kind: kind, summary: "scripted test provider", mechanisms: mechanisms)
    }

    /// Every request fails with `error` (the next `times` requests only, if given).
    func fail(with error: CryptoError?, times: Int = .max) {
        state.withLock {
            $0.failure = error
            $0.failuresLeft = times
        }
    }
    func setLoad(_ load: Int) { state.withLock { $0.load = load } }
    func setFailed(_ failed: Bool) { state.withLock { $0.failed = failed } }
    var served: Int { state.withLock { $0.served } }

    var load: Int { state.withLock { $0.load } }
    var isFailed: Bool { state.withLock { $0.failed } }

    func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        let failure: CryptoError? = state.withLock {
            guard let f = $0.failure, $0.failuresLeft > 0 else {
                $0.served += 1
                return nil
            }
            $0.failuresLeft -= 1
            return f
        }
        if let failure { throw failure }
        return .bytes(Array(descriptor.name.utf8))
    }
}

extension MechanismInfo {
    static func digest(_ m: Mechanism = .sha256, hw: Bool = false) -> MechanismInfo {
        MechanismInfo(m, flags: hw ? [.digest, .hardware] : [.digest])
    }
    static func generateDH(_ range: ClosedRange<Int>) -> MechanismInfo {
        MechanismInfo(.dhPKCSKeyPairGen, minKeyBits: range.lowerBound, maxKeyBits: range.upperBound, flags: [.generateKeyPair])
    }
}

extension Platform {
    /// A platform made of the given providers (priority: the order of `priority`, else registration).
    static func scripted(_ providers: [ScriptedProvider], priority: [String]? = nil) -> Platform {
        Platform(
            name: "test", clockHz: nil,
            softwarePriority: priority ?? providers.map(\.descriptor.name),
            makeProviders: { providers })
    }
}

extension CryptoFramework {
    /// Who served a SHA-256 digest request.
    func whoDigests(_ m: Mechanism = .sha256) throws -> String {
        String(decoding: try digest(m, data: [1, 2, 3]), as: UTF8.self)
    }
}
