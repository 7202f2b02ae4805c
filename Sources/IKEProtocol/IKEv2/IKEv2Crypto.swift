import CryptoFramework

/// One side's ephemeral key-exchange value for an IKE SA.
public struct IKEv2KeyExchangeSecret: Sendable {
    enum Private: Sendable {
        case modp(DHPrivateKey)
        case ec(ECPrivateKey)
    }
    public let group: IKEv2Group
    let key: Private
    /// The KE payload's data.
    public let publicValue: [UInt8]

    init(group: IKEv2Group, key: Private, publicValue: [UInt8]) {
        self.group = group
        self.key = key
        self.publicValue = publicValue
    }

    /// A known private value (known-answer tests: RFC 5903 §8's i and r): the
    /// MODP exponent or the EC scalar, big-endian (X25519: its 32 bytes). Only
    /// ``IKECryptoSession/agree(_:peer:)`` uses it; `publicValue` is left empty.
    public init(group: IKEv2Group, knownPrivateValue value: SecureBytes) throws {
        self.group = group
        self.publicValue = []
        switch group {
        case .modp(let g): key = .modp(DHPrivateKey(group: g, value: value))
        case .ecp(let c): key = .ec(try ECPrivateKey(curve: c, scalar: value))
        case .curve25519: key = .ec(try ECPrivateKey(curve: .x25519, scalar: value))
        }
    }
}

/// A signature key of ours (AUTH): the same type IKEv1 signs with (RSA,
/// ECDSA on P-256/384/521), which IKEv2 also uses for Ed25519 (RFC 8420), so
/// one `--key` serves both versions.
public typealias IKEv2PrivateKey = IKESigningKey

/// A peer's public key that may verify an AUTH payload: IKEv1's type, which
/// PeerTrust returns for both versions.
public typealias IKEv2PublicKey = IKEPublicKey

extension IKESigningKey {
    /// The public half (nil: an EC key stored without its point).
    public var publicKey: IKEPublicKey? {
        switch self {
        case .rsa(let k): .rsa(k.publicKey)
        case .ec(let k): k.publicKey.map { .ec($0) }
        }
    }
}

extension IKEPublicKey {
    public var description: String {
        switch self {
        case .rsa(let k): "RSA-\(k.bits)"
        case .ec(let k): k.curve.name
        }
    }
}

/// IKEv2's cryptographic operations through the framework, each recorded in
/// the session's report like IKEv1's.
extension IKECryptoSession {
    /// prf(key, data) with the negotiated PRF (RFC 7296 §2.13), in wiping buffers.
    public func prf(_ prf: IKEv2Suite.PRF, key: SecureBytes, _ data: SecureBytes) async throws -> SecureBytes {
        try await v2(.prf, .mac(prf.hmacMechanism, key: key, data: data), dataBytes: data.count, keyBytes: key.count) { try $0.secret }
    }

    /// The SK payload's ICV: HMAC truncated to the integrity algorithm's length (RFC 4868 §2.1).
    public func integrity(_ integrity: IKEv2Suite.Integrity, key: SecureBytes, _ data: [UInt8]) async throws -> [UInt8] {
        try await integrityMAC(integrity, key: key, data).withUnsafeBytes { Array($0.prefix(integrity.icvBytes)) }
    }

    /// The whole HMAC of ``integrity(_:key:_:)``, before truncation (the sealer appends its first bytes in place).
    func integrityMAC(_ integrity: IKEv2Suite.Integrity, key: SecureBytes, _ data: [UInt8]) async throws -> SecureBytes {
        try await v2(.integrity, .mac(integrity.hash.hmacMechanism, key: key, data: SecureBytes(data)),
                     dataBytes: data.count, keyBytes: key.count) { try $0.secret }
    }

    /// Whether the ICV at the end of `message` (its last `icvBytes`) is the
    /// integrity checksum of the `covered` bytes before it: the MAC's input is
    /// copied from the message straight into a wiping buffer, and the ICVs are
    /// compared in constant time, with no plain copy of either.
    func integrityVerifies(_ integrity: IKEv2Suite.Integrity, key: SecureBytes, _ message: [UInt8], covering covered: Int) async throws -> Bool {
        let n = integrity.icvBytes
        guard covered >= 0, message.count - covered == n else { return false }
        let data = message.withUnsafeBytes { SecureBytes(UnsafeRawBufferPointer(rebasing: $0[0..<covered])) }
        let mac = try await v2(.integrity, .mac(integrity.hash.hmacMechanism, key: key, data: data),
                               dataBytes: covered, keyBytes: key.count) { try $0.secret }
        guard mac.count >= n else { return false }
        return mac.withUnsafeBytes { m in
            constantTimeEquals(UnsafeBufferPointer(rebasing: m.assumingMemoryBound(to: UInt8.self)[0..<n]), message[covered...])
        }
    }

    public func encrypt(_ encryption: IKEv2Suite.Encryption, key: SecureBytes, iv: [UInt8], _ data: [UInt8]) async throws -> [UInt8] {
        try await v2(.encrypt, .encrypt(encryption.mechanism, key: key, iv: iv, data: data), dataBytes: data.count, keyBytes: key.count) {
            try $0.bytes
        }
    }

    public func decrypt(_ encryption: IKEv2Suite.Encryption, key: SecureBytes, iv: [UInt8], _ data: [UInt8]) async throws -> [UInt8] {
        try await v2(.decrypt, .decrypt(encryption.mechanism, key: key, iv: iv, data: data), dataBytes: data.count, keyBytes: key.count) {
            try $0.bytes
        }
    }

    /// AES-GCM sealing of an SK payload (RFC 5282): ciphertext ‖ 16-byte tag
    /// under the 12-byte nonce salt ‖ IV, with `aad` authenticated.
    public func sealAEAD(_ encryption: IKEv2Suite.Encryption, key: SecureBytes, nonce: [UInt8], aad: [UInt8], _ data: [UInt8]) async throws -> [UInt8] {
        let parameters = GCMParameters(iv: nonce, additionalData: aad, tagBits: encryption.aeadICVBytes * 8)
        return try await v2(.encrypt, .encrypt(encryption.mechanism, key: key, parameters: .gcm(parameters), data: data),
                            dataBytes: data.count, keyBytes: key.count) { try $0.bytes }
    }

    /// The plaintext of ciphertext ‖ tag, released only when the tag verifies;
    /// a tag that does not is `integrityFailure` (RFC 7296 §2.21.2: dropped unanswered).
    public func openAEAD(_ encryption: IKEv2Suite.Encryption, key: SecureBytes, nonce: [UInt8], aad: [UInt8], _ data: [UInt8]) async throws -> [UInt8] {
        let parameters = GCMParameters(iv: nonce, additionalData: aad, tagBits: encryption.aeadICVBytes * 8)
        return try await v2(.decrypt, .decrypt(encryption.mechanism, key: key, parameters: .gcm(parameters), data: data),
                            dataBytes: data.count, keyBytes: key.count,
                            refusal: { $0.code == .dataInvalid
                                ? IKEv2Error(.integrityFailure, "SK payload's AES-GCM ICV does not verify (\($0.message))") : nil }) {
            try $0.bytes
        }
    }

    /// A fresh key-exchange value for `group` (recorded as dh-generate, whatever the group).
    public func generateKeyExchange(_ group: IKEv2Group, privateBits: Int? = nil) async throws -> IKEv2KeyExchangeSecret {
        switch group {
        case .modp(let g):
            let pair = try await v2(.dhGenerate, .generateDHKeyPair(group: g, privateBits: privateBits), dataBytes: 0, keyBytes: g.byteCount) {
                try $0.dhKeyPair
            }
            return IKEv2KeyExchangeSecret(group: group, key: .modp(pair.privateKey), publicValue: pair.publicValue)
        case .ecp, .curve25519:
            let curve: ECCurve = if case .ecp(let c) = group { c } else { .x25519 }
            let key = try await v2(.dhGenerate, .generateECKeyPair(curve: curve), dataBytes: 0, keyBytes: curve.fieldByteCount) {
                try $0.ecKeyPair
            }
            guard let point = key.publicKey?.point else {
                throw IKEv2Error(.cryptoFailure, "\(curve) key pair generated without its public key")
            }
            // RFC 5903 §7: the KE data is x ‖ y, without SEC 1's 04 prefix; RFC 8031: the 32 bytes of u.
            let value = curve.family == .weierstrass ? Array(point.dropFirst()) : point
            return IKEv2KeyExchangeSecret(group: group, key: .ec(key), publicValue: value)
        }
    }

    /// g^ir (RFC 7296 §2.14): the MODP value left-padded to the modulus, the
    /// ECP x coordinate (RFC 5903 §7), the X25519 output (RFC 8031 §2.2). A peer
    /// value of the wrong size, out of range, off the curve or of small order is
    /// INVALID_SYNTAX (RFC 7296 §3.4, RFC 8031 §2.3) before the framework sees it.
    public func agree(_ secret: IKEv2KeyExchangeSecret, peer: [UInt8]) async throws -> SecureBytes {
        guard peer.count == secret.group.publicValueBytes else {
            throw IKEv2Error.syntax("KE data of \(peer.count) bytes; group \(secret.group.number) values have \(secret.group.publicValueBytes)")
        }
        switch secret.key {
        case .modp(let key):
            do { try DHRange.checkPeerValue(peer, group: key.group) } catch let e as CryptoError {
                throw IKEv2Error.syntax("KE payload: \(e.message)")
            }
            return try await v2(.dhDerive, .deriveDH(privateKey: key, peerPublicValue: peer), dataBytes: peer.count,
                                keyBytes: key.group.byteCount) { try $0.secret }
        case .ec(let key):
            var encoded = peer
            if key.curve.family == .weierstrass {
                // SEC 1's uncompressed form: 04 ‖ x ‖ y, in one array.
                encoded = []
                encoded.reserveCapacity(1 + peer.count)
                encoded.append(0x04)
                encoded.append(contentsOf: peer)
            }
            do { _ = try ECPublicKey(curve: key.curve, point: encoded) } catch let e as CryptoError {
                throw IKEv2Error.syntax("KE payload: \(e.message)")
            }
            return try await v2(.dhDerive, .deriveECDH(privateKey: key, peerPublicValue: encoded, parameters: .null),
                                dataBytes: peer.count, keyBytes: key.curve.fieldByteCount) { try $0.secret }
        }
    }

    func signRSA(_ mechanism: Mechanism, key: RSAPrivateKey, data: [UInt8], pss: PSSParameters?) async throws -> [UInt8] {
        try await v2(.rsaSign, .sign(mechanism, key: key, data: data, pss: pss), dataBytes: data.count, keyBytes: key.publicKey.byteCount) {
            try $0.bytes
        }
    }

    func verifyRSA(_ mechanism: Mechanism, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters?) async throws -> Bool {
        guard signature.count == key.byteCount else { return false }
        return try await v2(.rsaVerify, .verify(mechanism, key: key, data: data, signature: signature, pss: pss),
                            dataBytes: data.count, keyBytes: key.byteCount) { try $0.verified }
    }

    func signEC(_ mechanism: Mechanism, key: ECPrivateKey, data: [UInt8]) async throws -> [UInt8] {
        try await v2(.ecSign, .signEC(mechanism, key: key, data: data), dataBytes: data.count, keyBytes: key.curve.fieldByteCount) {
            try $0.bytes
        }
    }

    func verifyEC(_ mechanism: Mechanism, key: ECPublicKey, data: [UInt8], signature: [UInt8]) async throws -> Bool {
        guard signature.count == key.curve.signatureByteCount else { return false }
        return try await v2(.ecVerify, .verifyEC(mechanism, key: key, data: data, signature: signature),
                            dataBytes: data.count, keyBytes: key.curve.fieldByteCount) { try $0.verified }
    }

    /// ``perform`` with IKEv2's error type: a framework failure is `cryptoFailure`.
    private func v2<Value>(_ name: IKEOperationName, _ request: CryptoRequest, dataBytes: Int, keyBytes: Int,
                           refusal: ((CryptoError) -> (any Error)?)? = nil,
                           _ unpack: (CryptoResult) throws -> Value) async throws -> Value {
        do {
            return try await performRecorded(name, request, dataBytes: dataBytes, keyBytes: keyBytes, refusal: refusal, unpack)
        } catch let e as ISAKMPError {
            throw IKEv2Error(.cryptoFailure, e.message)
        }
    }
}
