import CryptoFramework
import IKEProtocol

/// What an IKEv1 Main Mode responder's public-key work alone costs per SA:
/// its DH (MODP or ECDH) key pair, the agreement, the verification of the
/// initiator's signature and its own signature (RSA or ECDSA, as our key), one after another on one task, in
/// process CPU seconds. The yardstick for a responder's CPU per SA (whatever
/// it spends beyond this is protocol, I/O and bookkeeping).
public struct ResponderPublicKeyBaseline: Sendable, Encodable {
    public let group: Int
    public let dhPrivateBits: Int?
    /// The signature key's bits (RSA modulus, EC field) and its kind ("RSA-2048", "ECDSA P-256").
    public let rsaBits: Int
    public let signatureKey: String
    public let rounds: Int
    /// CPU seconds per SA of the four operations together.
    public let cpuSecondsPerSA: Double
    /// Wall seconds per SA (equal to the CPU figure on an otherwise idle core).
    public let wallSecondsPerSA: Double
    public let providers: [String]

    /// Runs the four operations `rounds` times (at least `minimumSeconds` of wall time, at most 10 000 rounds).
    public static func measure(suite: IKESuite, key: IKESigningKey, framework: CryptoFramework,
                               minimumSeconds: Double = 2) async throws -> ResponderPublicKeyBaseline {
        let session = IKECryptoSession(framework: framework)
        let peer = try await session.generateKeyExchange(suite)
        let peerHash = IKERandom.bytes(suite.prf.outputBytes)
        guard let method = key.authentication, let publicKey = key.publicKey else {
            throw CryptoError(.keyInvalid, "the baseline needs an RSA or ECDSA key with its public half")
        }
        let peerSignature = try await session.sign(peerHash, with: key, method: method)
        var rounds = 0
        let cpuStart = ProcessCPU.seconds()
        let start = MonotonicClock.nanoseconds()
        let end = start + UInt64(minimumSeconds * 1e9)
        repeat {
            let pair = try await session.generateKeyExchange(suite)
            _ = try await session.deriveKeyExchange(pair.secret, peer: peer.publicValue)
            guard try await session.verify(peerHash, signature: peerSignature, key: publicKey) else {
                throw CryptoError(.providerFailed, "the baseline's own signature did not verify")
            }
            _ = try await session.sign(IKERandom.bytes(suite.prf.outputBytes), with: key, method: method)
            rounds += 1
        } while MonotonicClock.nanoseconds() < end && rounds < 10_000
        let wall = Double(MonotonicClock.nanoseconds() - start) / 1e9
        let cpu = ProcessCPU.seconds() - cpuStart
        let names: Set<IKEOperationName> = [.dhGenerate, .dhDerive, .rsaVerify, .rsaSign, .ecSign, .ecVerify]
        let providers = Set(session.records.filter { names.contains($0.name) }.map { "\($0.name.rawValue) \($0.provider)" })
        return ResponderPublicKeyBaseline(group: suite.groupNumber, dhPrivateBits: suite.dhPrivateBits, rsaBits: key.bits, signatureKey: publicKey.description,
                                          rounds: rounds, cpuSecondsPerSA: cpu / Double(rounds), wallSecondsPerSA: wall / Double(rounds),
                                          providers: providers.sorted())
    }
}
