import CryptoFramework

/// The names ikebench reports the responder's operations under.
public enum IKEOperationName: String, Sendable, CaseIterable, Codable {
    case dhGenerate = "dh-generate"
    case dhDerive = "dh-derive"
    case rsaVerify = "rsa-verify"
    case rsaSign = "rsa-sign"
    case prf
    case hash
    case encrypt
    case decrypt
    /// IKEv2: ECDSA or Ed25519 sign and verify (AUTH methods 9, 10, 14).
    case ecSign = "ec-sign"
    case ecVerify = "ec-verify"
    /// IKEv2: the SK payload's integrity checksum (HMAC-SHA2-256-128 …).
    case integrity
}

/// One framework operation of a negotiation, from its report.
public struct IKEOperationRecord: Sendable {
    public let name: IKEOperationName
    public let mechanism: Mechanism
    public let provider: String
    public let hostNanoseconds: UInt64
    public let modeledSeconds: Double?
    /// Input bytes and key bytes (for the calibration workload).
    public let dataBytes: Int
    public let keyBytes: Int
    /// The provider's typed tallies of modeled work (e.g. sparcfp's FP instructions).
    public let work: ModeledWork
}

/// Does one side's cryptography through a framework (async, so a device
/// queue is awaited without holding a thread) and keeps the report of every
/// operation. One per negotiation side; Sendable so an actor (the
/// ``MainModeResponder``) can hand it to the framework's async calls.
public final class IKECryptoSession: Sendable {
    public let framework: CryptoFramework
    /// Room for a whole negotiation's operations from the start (about 20 for
    /// an IKEv2 SA with its child, fewer for Main Mode), so recording does not regrow the array.
    /// A `Locked` (the package's one lock type, which ThreadSanitizer can
    /// see: DESIGN.md), in practice uncontended, as one negotiation's
    /// operations run one after another.
    private let recorded: Locked<[IKEOperationRecord]> = {
        var records: [IKEOperationRecord] = []
        records.reserveCapacity(24)
        return Locked(records)
    }()
    /// Every operation so far, in order.
    public var records: [IKEOperationRecord] { recorded.withLock { $0 } }
    /// Called after every operation (for the live per-second tally and --trace).
    let observe: (@Sendable (IKEOperationRecord) -> Void)?

    public init(framework: CryptoFramework, observe: (@Sendable (IKEOperationRecord) -> Void)? = nil) {
        self.framework = framework
        self.observe = observe
    }

    /// Runs `request`, records it, and takes its value out with `unpack` (one
    /// of ``CryptoResult``'s accessors); a framework error, or a result of the
    /// wrong kind, is the negotiation's `cryptoFailure`.
    func perform<Value>(
        _ name: IKEOperationName, _ request: CryptoRequest, dataBytes: Int, keyBytes: Int,
        _ unpack: (CryptoResult) throws -> Value
    ) async throws -> Value {
        try await performRecorded(name, request, dataBytes: dataBytes, keyBytes: keyBytes, unpack)
    }

    /// ``perform`` for the suite-specific operations (IKEKeyExchange.swift);
    /// `invalidInput`: the refusal a `dataInvalid` answer (a peer value the
    /// framework refused) becomes instead of `cryptoFailure`.
    /// `refusal`: another error for a framework error it maps (IKEv2: a GCM tag
    /// that does not match is the SK payload's integrity failure).
    func performRecorded<Value>(
        _ name: IKEOperationName, _ request: CryptoRequest, dataBytes: Int, keyBytes: Int,
        invalidInput: ISAKMPError.Code? = nil, refusal: ((CryptoError) -> (any Error)?)? = nil,
        _ unpack: (CryptoResult) throws -> Value
    ) async throws -> Value {
        do {
            let reported = try await framework.perform(request)
            let r = reported.report
            var record: IKEOperationRecord? = IKEOperationRecord(
                name: name, mechanism: r.mechanism, provider: r.provider, hostNanoseconds: r.hostNanoseconds,
                modeledSeconds: r.modeledSeconds, dataBytes: dataBytes, keyBytes: keyBytes, work: r.work)
            // Observed first, then moved into the records (`take()`), not copied:
            // a copy retains each of its strings and its work tallies.
            observe?(record.unsafelyUnwrapped)
            recorded.withLock { $0.append(record.take().unsafelyUnwrapped) }
            return try unpack(reported.value)
        } catch let error as CryptoError {
            if let mapped = refusal?(error) { throw mapped }
            if let invalidInput, error.code == .dataInvalid {
                throw ISAKMPError(invalidInput, "KE payload: \(error.message)")
            }
            throw ISAKMPError(.cryptoFailure, "\(name.rawValue) (\(request.mechanism)): \(error)")
        }
    }

    /// prf(key, data) (RFC 2409 §5: the negotiated HMAC); key, data and result
    /// stay in wiping buffers from end to end.
    public func prf(_ suite: IKESuite, key: SecureBytes, _ data: SecureBytes) async throws -> SecureBytes {
        try await perform(.prf, .mac(suite.prf.hmacMechanism, key: key, data: data), dataBytes: data.count, keyBytes: key.count) {
            try $0.secret
        }
    }

    /// prf over public data (HASH_I, HASH_R: values that go on the wire).
    public func prf(_ suite: IKESuite, key: SecureBytes, _ data: [UInt8]) async throws -> SecureBytes {
        try await prf(suite, key: key, SecureBytes(data))
    }

    public func hash(_ suite: IKESuite, _ data: [UInt8]) async throws -> [UInt8] {
        try await perform(.hash, .digest(suite.prf.hashMechanism, data: data), dataBytes: data.count, keyBytes: 0) { try $0.bytes }
    }

    public func encrypt(_ suite: IKESuite, key: SecureBytes, iv: [UInt8], _ data: [UInt8]) async throws -> [UInt8] {
        try await perform(.encrypt, .encrypt(suite.cipher.mechanism, key: key, iv: iv, data: data),
                          dataBytes: data.count, keyBytes: key.count) { try $0.bytes }
    }

    public func decrypt(_ suite: IKESuite, key: SecureBytes, iv: [UInt8], _ data: [UInt8]) async throws -> [UInt8] {
        try await perform(.decrypt, .decrypt(suite.cipher.mechanism, key: key, iv: iv, data: data),
                          dataBytes: data.count, keyBytes: key.count) { try $0.bytes }
    }

    /// A DH key pair; `privateBits` nil leaves the length to the provider.
    public func generateDH(_ group: DHGroup, privateBits: Int? = nil) async throws -> DHKeyPair {
        try await perform(.dhGenerate, .generateDHKeyPair(group: group, privateBits: privateBits), dataBytes: 0, keyBytes: group.byteCount) {
            try $0.dhKeyPair
        }
    }

    /// g^xy. The peer's value is checked (2 ≤ y ≤ p−2) before the framework sees it.
    public func deriveDH(_ key: DHPrivateKey, peer: [UInt8]) async throws -> SecureBytes {
        do {
            try DHRange.checkPeerValue(peer, group: key.group)
        } catch let error as CryptoError {
            throw ISAKMPError(.invalidKeyInformation, "KE payload: \(error.message)")
        }
        return try await perform(
            .dhDerive, .deriveDH(privateKey: key, peerPublicValue: peer), dataBytes: peer.count, keyBytes: key.group.byteCount
        ) { try $0.secret }
    }

    /// CKM_RSA_PKCS over the raw hash: PKCS#1 v1.5 type 1 without DigestInfo, as IKEv1 signs.
    public func sign(_ hash: [UInt8], key: RSAPrivateKey) async throws -> [UInt8] {
        try await perform(.rsaSign, .sign(.rsaPKCS, key: key, data: hash, pss: nil),
                          dataBytes: hash.count, keyBytes: key.publicKey.byteCount) { try $0.bytes }
    }

    public func verify(_ hash: [UInt8], signature: [UInt8], key: RSAPublicKey) async throws -> Bool {
        guard signature.count == key.byteCount else {
            throw ISAKMPError(.invalidSignature,
                "SIG payload of \(signature.count) bytes; a \(key.bits)-bit RSA signature has \(key.byteCount)")
        }
        return try await perform(.rsaVerify, .verify(.rsaPKCS, key: key, data: hash, signature: signature, pss: nil),
                                 dataBytes: hash.count, keyBytes: key.byteCount) { try $0.verified }
    }
}
