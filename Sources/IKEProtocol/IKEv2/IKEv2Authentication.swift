import CryptoFramework

/// AUTH methods (RFC 7296 §3.8, RFC 4754 §7, RFC 7427 §3).
public enum IKEv2AuthMethod: UInt8, Sendable {
    case rsaSignature = 1
    case sharedKey = 2
    case dssSignature = 3
    case ecdsaSHA256P256 = 9
    case ecdsaSHA384P384 = 10
    case ecdsaSHA512P521 = 11
    case digitalSignature = 14
}

/// The hash algorithms of RFC 7427's SIGNATURE_HASH_ALGORITHMS notify (IANA
/// "IKEv2 Hash Algorithms"): 2 SHA2-256, 3 SHA2-384, 4 SHA2-512, 5 Identity (RFC 8420, for Ed25519).
public enum IKEv2SignatureHash {
    public static let sha256: UInt16 = 2
    public static let sha384: UInt16 = 3
    public static let sha512: UInt16 = 4
    public static let identity: UInt16 = 5
    /// What we announce and accept.
    public static let supported: [UInt16] = [sha256, sha384, sha512, identity]

    /// ``notify(_:)`` of ``supported``, built once (the responder sends it in every IKE_SA_INIT response).
    public static let supportedNotify = notify()

    public static func notify(_ algorithms: [UInt16] = supported) -> IKEv2Notify {
        IKEv2Notify(type: IKEv2Notify.Status.signatureHashAlgorithms, data: algorithms.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
    }

    /// The algorithms a peer's notify lists (an odd trailing byte is ignored).
    public static func parse(_ data: [UInt8]) -> [UInt16] {
        stride(from: 0, to: data.count - 1, by: 2).map { UInt16(data[$0]) << 8 | UInt16(data[$0 + 1]) }
    }
}

/// One signature scheme of RFC 7427 (and the fixed ones of methods 1, 9, 10):
/// what the framework computes and the AlgorithmIdentifier that names it.
public enum IKEv2SignatureScheme: Sendable, Equatable {
    /// PKCS#1 v1.5 with this hash (method 1 is SHA-1; RFC 7427 names SHA-256/384/512).
    case rsaPKCS1(HashAlgorithm)
    /// RSASSA-PSS with MGF1 of the same hash and a salt as long as the hash (RFC 8247 §3.2's recommendation).
    case rsaPSS(HashAlgorithm)
    /// ECDSA with this hash; RFC 4754 (methods 9/10) sends r ‖ s, RFC 7427 the DER Ecdsa-Sig-Value.
    case ecdsa(HashAlgorithm)
    case ed25519

    var rsaMechanism: Mechanism? {
        switch self {
        case .rsaPKCS1(.sha1): .sha1RSAPKCS
        case .rsaPKCS1(.sha256): .sha256RSAPKCS
        case .rsaPKCS1(.sha384): .sha384RSAPKCS
        case .rsaPKCS1(.sha512): .sha512RSAPKCS
        case .rsaPSS(.sha256): .sha256RSAPKCSPSS
        case .rsaPSS(.sha384): .sha384RSAPKCSPSS
        case .rsaPSS(.sha512): .sha512RSAPKCSPSS
        default: nil
        }
    }

    var ecMechanism: Mechanism? {
        switch self {
        case .ecdsa(.sha256): .ecdsaSHA256
        case .ecdsa(.sha384): .ecdsaSHA384
        case .ecdsa(.sha512): .ecdsaSHA512
        case .ed25519: .eddsa
        default: nil
        }
    }

    var pss: PSSParameters? {
        if case .rsaPSS(let h) = self { return PSSParameters(hash: h) }
        return nil
    }

    /// The RFC 7427 hash-algorithm value the scheme needs the peer to accept.
    var signatureHash: UInt16? {
        switch self {
        case .rsaPKCS1(.sha256), .rsaPSS(.sha256), .ecdsa(.sha256): IKEv2SignatureHash.sha256
        case .rsaPKCS1(.sha384), .rsaPSS(.sha384), .ecdsa(.sha384): IKEv2SignatureHash.sha384
        case .rsaPKCS1(.sha512), .rsaPSS(.sha512), .ecdsa(.sha512): IKEv2SignatureHash.sha512
        case .ed25519: IKEv2SignatureHash.identity
        default: nil
        }
    }

    /// DER AlgorithmIdentifier (RFC 7427 Appendix A; RFC 8420 §2 for Ed25519;
    /// RFC 4055 §3.1 for RSASSA-PSS parameters).
    public var algorithmIdentifier: [UInt8] {
        Self.identifiers.first { $0.scheme == self }?.der ?? encodedAlgorithmIdentifier
    }

    /// Every scheme of RFC 7427 and RFC 8420 with its AlgorithmIdentifier, encoded once.
    static let identifiers: [(scheme: IKEv2SignatureScheme, der: [UInt8])] =
        HashAlgorithm.allCases.flatMap { h in [IKEv2SignatureScheme.rsaPKCS1(h), .rsaPSS(h), .ecdsa(h)] }.map { ($0, $0.encodedAlgorithmIdentifier) }
        + [(.ed25519, IKEv2SignatureScheme.ed25519.encodedAlgorithmIdentifier)]

    /// The schemes verified, by their canonical AlgorithmIdentifier (as
    /// ``init(algorithmIdentifier:)`` parses them): a peer that encodes the
    /// identifier as we do is matched by comparing bytes.
    static let verifiedIdentifiers: [(scheme: IKEv2SignatureScheme, der: [UInt8])] =
        identifiers.filter { IKEv2SignatureScheme(parsing: $0.der[...]) == $0.scheme }

    var encodedAlgorithmIdentifier: [UInt8] {
        switch self {
        case .rsaPKCS1(let h): DER.sequence(DER.oid(OID.rsaPKCS1(h)) + DER.null)
        case .ecdsa(let h): DER.sequence(DER.oid(OID.ecdsa(h)))
        case .ed25519: DER.sequence(DER.oid(OID.ed25519))
        case .rsaPSS(let h):
            DER.sequence(DER.oid(OID.rsassaPSS) + DER.sequence(
                DER.tagged(0, DER.sequence(DER.oid(OID.hash(h)) + DER.null))
                + DER.tagged(1, DER.sequence(DER.oid(OID.mgf1) + DER.sequence(DER.oid(OID.hash(h)) + DER.null)))
                + DER.tagged(2, DER.integer(h.digestLength))))
        }
    }

    /// The scheme an AlgorithmIdentifier names, or nil for one we do not verify.
    public init?(algorithmIdentifier der: [UInt8]) {
        self.init(algorithmIdentifier: der[...])
    }

    init?(algorithmIdentifier der: ArraySlice<UInt8>) {
        if let known = Self.verifiedIdentifiers.first(where: { $0.der.elementsEqual(der) }) {
            self = known.scheme
            return
        }
        self.init(parsing: der)
    }

    /// ``init(algorithmIdentifier:)`` by parsing the DER.
    init?(parsing der: ArraySlice<UInt8>) {
        guard let (oid, params) = DER.algorithmIdentifier(der) else { return nil }
        for h in [HashAlgorithm.sha256, .sha384, .sha512] {
            if oid == OID.rsaPKCS1(h) { self = .rsaPKCS1(h); return }
            if oid == OID.ecdsa(h) { self = .ecdsa(h); return }
        }
        if oid == OID.ed25519 { self = .ed25519; return }
        guard oid == OID.rsassaPSS, let params, let pss = DER.pssParameters(params),
              pss.hash == pss.mgf1Hash, pss.salt == pss.hash.digestLength, pss.hash != .sha1
        else { return nil }
        self = .rsaPSS(pss.hash)
    }
}

/// Who one side of an IKE SA is: its signature key, its ID and (when it has
/// one) the DER X.509 certificate it sends in a CERT payload.
public struct IKEv2Identity: Sendable {
    public let key: IKEv2PrivateKey
    public let id: IKEv2Identification
    public let certificate: [UInt8]?
    /// Sign RSA with RSASSA-PSS when the peer accepts RFC 7427 (else PKCS#1 v1.5).
    public let rsaPSS: Bool

    public init(key: IKEv2PrivateKey, id: IKEv2Identification, certificate: [UInt8]? = nil, rsaPSS: Bool = false) {
        self.key = key
        self.id = id
        self.certificate = certificate
        self.rsaPSS = rsaPSS
    }

    /// The AUTH method and scheme we sign with: RFC 7427 when the peer announced
    /// the hash we need, else the key's fixed method (1, 9, 10). Ed25519 has only RFC 7427.
    func signingScheme(peerHashes: [UInt16]) throws -> (IKEv2AuthMethod, IKEv2SignatureScheme) {
        let preferred: IKEv2SignatureScheme
        let fixed: (IKEv2AuthMethod, IKEv2SignatureScheme)?
        switch key {
        case .rsa:
            preferred = rsaPSS ? .rsaPSS(.sha256) : .rsaPKCS1(.sha256)
            fixed = (.rsaSignature, .rsaPKCS1(.sha1))
        case .ec(let k):
            switch k.curve {
            case .p256: preferred = .ecdsa(.sha256); fixed = (.ecdsaSHA256P256, .ecdsa(.sha256))
            case .p384: preferred = .ecdsa(.sha384); fixed = (.ecdsaSHA384P384, .ecdsa(.sha384))
            case .p521: preferred = .ecdsa(.sha512); fixed = (.ecdsaSHA512P521, .ecdsa(.sha512))
            case .ed25519: preferred = .ed25519; fixed = nil
            case .x25519: throw IKEv2Error(.authenticationFailed, "an X25519 key cannot sign")
            }
        }
        if let h = preferred.signatureHash, peerHashes.contains(h) { return (.digitalSignature, preferred) }
        if let fixed { return fixed }
        throw IKEv2Error(.authenticationFailed, "an Ed25519 key signs only with RFC 7427, which the peer did not announce")
    }
}

/// Finds the public keys that may have signed for a peer's ID: from the
/// certificates it sent (CERT payloads, DER X.509) checked against what we
/// trust, or keys configured for that ID. Throws an ``IKEv2Error``
/// (AUTHENTICATION_FAILED) when nothing trusted speaks for the ID.
public protocol IKEv2PeerKeyResolver: Sendable {
    func ikev2Keys(for id: IKEv2Identification, certificates: [[UInt8]]) throws -> [IKEv2PublicKey]
}

/// One configured key, whatever ID the peer claims (in-process runs and tests).
public struct IKEv2FixedPeerKey: IKEv2PeerKeyResolver {
    public let key: IKEv2PublicKey
    public init(_ key: IKEv2PublicKey) { self.key = key }
    public func ikev2Keys(for id: IKEv2Identification, certificates: [[UInt8]]) throws -> [IKEv2PublicKey] { [key] }
}

/// The AUTH payload (RFC 7296 §2.15): signed octets, signing and verifying.
public enum IKEv2Authentication {
    /// InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload);
    /// ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload).
    public static func signedOctets(message: [UInt8], peerNonce: [UInt8], id: IKEv2Identification, prf: IKEv2Suite.PRF,
                                    skP: SecureBytes, session: IKECryptoSession) async throws -> [UInt8] {
        // RestOfIDPayload (ID type, three reserved bytes, data) straight into the wiping buffer.
        let rest = try SecureBytes(exactly: 4 + id.data.count) { w in
            try w.append(id.kind)
            for _ in 0..<3 { try w.append(0 as UInt8) }
            try w.append(id.data)
        }
        let maced = try await session.prf(prf, key: skP, rest)
        var octets: [UInt8] = []
        octets.reserveCapacity(message.count + peerNonce.count + maced.count)
        octets.append(contentsOf: message)
        octets.append(contentsOf: peerNonce)
        maced.withUnsafeBytes { octets.append(contentsOf: $0) }
        return octets
    }

    /// Our AUTH payload over `octets`.
    public static func sign(_ octets: [UInt8], identity: IKEv2Identity, peerHashes: [UInt16],
                            session: IKECryptoSession) async throws -> IKEv2Payload {
        let (method, scheme) = try identity.signingScheme(peerHashes: peerHashes)
        var signature: [UInt8]
        switch identity.key {
        case .rsa(let k):
            signature = try await session.signRSA(scheme.rsaMechanism!, key: k, data: octets, pss: scheme.pss)
        case .ec(let k):
            signature = try await session.signEC(scheme.ecMechanism!, key: k, data: octets)
            if method == .digitalSignature, case .ecdsa = scheme { signature = DER.ecdsaSignature(raw: signature) }
        }
        if method == .digitalSignature {
            let ai = scheme.algorithmIdentifier
            var data: [UInt8] = []
            data.reserveCapacity(1 + ai.count + signature.count)
            data.append(UInt8(ai.count))
            data.append(contentsOf: ai)
            data.append(contentsOf: signature)
            signature = data
        }
        return .authentication(method: method.rawValue, data: signature)
    }

    /// Checks a peer's AUTH over `octets` with every key trusted for it that fits
    /// the method; AUTHENTICATION_FAILED when none verifies. With `checkSignature`
    /// false (a load generator's initiator, never a responder) the method, the
    /// form and a fitting key are checked, and the signature itself is not.
    public static func verify(_ octets: [UInt8], method rawMethod: UInt8, data: [UInt8], keys: [IKEv2PublicKey],
                              session: IKECryptoSession, role: String, checkSignature: Bool = true) async throws {
        guard let method = IKEv2AuthMethod(rawValue: rawMethod) else {
            throw IKEv2Error(.authenticationFailed, "the \(role) uses AUTH method \(rawMethod), which is not served (1, 9, 10, 11, 14)")
        }
        var signature = data[...]
        let scheme: IKEv2SignatureScheme
        switch method {
        case .rsaSignature: scheme = .rsaPKCS1(.sha1)
        case .ecdsaSHA256P256: scheme = .ecdsa(.sha256)
        case .ecdsaSHA384P384: scheme = .ecdsa(.sha384)
        case .ecdsaSHA512P521: scheme = .ecdsa(.sha512)
        case .digitalSignature:
            // RFC 7427 §3: a one-byte length, the AlgorithmIdentifier, the signature.
            guard let n = data.first, n > 0, data.count > 1 + Int(n) else {
                throw IKEv2Error(.authenticationFailed, "the \(role)'s RFC 7427 AUTH data is too short for its AlgorithmIdentifier")
            }
            guard let s = IKEv2SignatureScheme(algorithmIdentifier: data[1...Int(n)]) else {
                throw IKEv2Error(.authenticationFailed, "the \(role)'s RFC 7427 AlgorithmIdentifier names a signature scheme not served")
            }
            scheme = s
            signature = data[(1 + Int(n))...]
        case .sharedKey, .dssSignature:
            throw IKEv2Error(.authenticationFailed, "the \(role) uses AUTH method \(method) (\(rawMethod)), which is not served")
        }
        guard !keys.isEmpty else { throw IKEv2Error(.authenticationFailed, "no trusted key for the \(role)") }
        // The signature as an array, made where a branch needs one: the AUTH data itself when it is
        // all signature (methods 1, 9-11); RFC 7427's ECDSA reads its DER from the slice instead.
        func signatureBytes() -> [UInt8] { signature.count == data.count ? data : Array(signature) }
        for key in keys {
            switch (key, scheme) {
            case (.rsa(let k), .rsaPKCS1), (.rsa(let k), .rsaPSS):
                if !checkSignature { if signature.count == k.byteCount { return } else { continue } }
                if try await session.verifyRSA(scheme.rsaMechanism!, key: k, data: octets, signature: signatureBytes(), pss: scheme.pss) { return }
            case (.ec(let k), .ecdsa(let h)):
                // Methods 9–11 fix the curve with the hash (RFC 4754 §7).
                if method != .digitalSignature, k.curve != Self.fixedCurve(h) { continue }
                guard k.curve.family == .weierstrass else { continue }
                let raw: [UInt8]
                if method == .digitalSignature {
                    guard let r = DER.ecdsaSignature(der: signature, fieldBytes: k.curve.fieldByteCount) else { continue }
                    raw = r
                } else {
                    raw = signatureBytes()
                }
                if !checkSignature { if raw.count == k.curve.signatureByteCount { return } else { continue } }
                if try await session.verifyEC(scheme.ecMechanism!, key: k, data: octets, signature: raw) { return }
            case (.ec(let k), .ed25519) where k.curve == .ed25519:
                if !checkSignature { if signature.count == k.curve.signatureByteCount { return } else { continue } }
                if try await session.verifyEC(.eddsa, key: k, data: octets, signature: signatureBytes()) { return }
            default:
                continue
            }
        }
        throw IKEv2Error(.authenticationFailed, "the \(role)'s AUTH (\(method), \(scheme)) does not verify with any of \(keys.count) trusted keys")
    }

    /// The curve methods 9–11 fix with their hash (RFC 4754 §7).
    static func fixedCurve(_ h: HashAlgorithm) -> ECCurve? {
        switch h {
        case .sha256: .p256
        case .sha384: .p384
        case .sha512: .p521
        default: nil
        }
    }
}

/// Object identifiers, as DER content octets.
enum OID {
    static func rsaPKCS1(_ h: HashAlgorithm) -> [UInt8] {  // 1.2.840.113549.1.1.{5,11,12,13}
        let last: UInt8 = switch h { case .sha1: 5; case .sha256: 11; case .sha384: 12; case .sha512: 13; case .sha224: 14 }
        return [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, last]
    }
    static let rsassaPSS: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A]  // 1.2.840.113549.1.1.10
    static let mgf1: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x08]  // 1.2.840.113549.1.1.8
    static func ecdsa(_ h: HashAlgorithm) -> [UInt8] {  // 1.2.840.10045.4.3.{2,3,4}; 4.1 for SHA-1
        switch h {
        case .sha1: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01]
        case .sha224: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x01]
        case .sha256: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]
        case .sha384: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03]
        case .sha512: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04]
        }
    }
    static let ed25519: [UInt8] = [0x2B, 0x65, 0x70]  // 1.3.101.112
    static func hash(_ h: HashAlgorithm) -> [UInt8] {  // 1.3.14.3.2.26; 2.16.840.1.101.3.4.2.{4,1,2,3}
        switch h {
        case .sha1: [0x2B, 0x0E, 0x03, 0x02, 0x1A]
        case .sha224: [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04]
        case .sha256: [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
        case .sha384: [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02]
        case .sha512: [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03]
        }
    }
}

/// The little DER the AUTH payload needs: AlgorithmIdentifiers and ECDSA's
/// Ecdsa-Sig-Value. The reader is strict (definite lengths, no trailing bytes)
/// and bounded by its input.
enum DER {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { tlv(tag, content[...]) }

    /// Tag, definite length and content (after a zero byte when `zeroFirst`),
    /// in one array sized for them.
    static func tlv(_ tag: UInt8, _ content: ArraySlice<UInt8>, zeroFirst: Bool = false) -> [UInt8] {
        let n = content.count + (zeroFirst ? 1 : 0)
        var out: [UInt8] = []
        out.reserveCapacity(4 + n)
        out.append(tag)
        if n < 0x80 {
            out.append(UInt8(n))
        } else if n < 0x100 {
            out.append(0x81)
            out.append(UInt8(n))
        } else {
            // Long form with as many length bytes as n needs (0x82 below 64 KiB): no length traps.
            let bytes = (Int.bitWidth - n.leadingZeroBitCount + 7) / 8
            out.append(0x80 | UInt8(bytes))
            for shift in stride(from: (bytes - 1) * 8, through: 0, by: -8) { out.append(UInt8((n >> shift) & 0xFF)) }
        }
        if zeroFirst { out.append(0) }
        out.append(contentsOf: content)
        return out
    }
    static func sequence(_ content: [UInt8]) -> [UInt8] { tlv(0x30, content) }
    static func oid(_ content: [UInt8]) -> [UInt8] { tlv(0x06, content) }
    static let null: [UInt8] = [0x05, 0x00]
    static func tagged(_ n: UInt8, _ content: [UInt8]) -> [UInt8] { tlv(0xA0 | n, content) }
    static func integer(_ v: Int) -> [UInt8] { integer(unsigned: v < 0x100 ? [UInt8(v)] : [UInt8(v >> 8), UInt8(v & 0xFF)]) }
    static func integer(unsigned bytes: [UInt8]) -> [UInt8] { integer(unsigned: bytes[...]) }

    /// A non-negative INTEGER, minimal: leading zeros dropped, a zero byte
    /// before a high bit, 0 for no significant byte.
    static func integer(unsigned bytes: ArraySlice<UInt8>) -> [UInt8] {
        let significant = bytes.drop { $0 == 0 }
        guard let first = significant.first else { return tlv(0x02, [0]) }
        return tlv(0x02, significant, zeroFirst: first & 0x80 != 0)
    }

    /// One TLV from the front of `bytes`: tag, content, and what follows.
    static func read(_ bytes: ArraySlice<UInt8>) -> (tag: UInt8, content: ArraySlice<UInt8>, rest: ArraySlice<UInt8>)? {
        var i = bytes.startIndex
        guard bytes.count >= 2 else { return nil }
        let tag = bytes[i]
        i += 1
        var length = Int(bytes[i])
        i += 1
        if length & 0x80 != 0 {
            let n = length & 0x7F
            guard n >= 1, n <= 2, bytes.endIndex - i >= n else { return nil }
            length = 0
            for _ in 0..<n { length = length << 8 | Int(bytes[i]); i += 1 }
            guard length >= 0x80 else { return nil }
        }
        guard bytes.endIndex - i >= length else { return nil }
        return (tag, bytes[i..<i + length], bytes[(i + length)...])
    }

    /// AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }.
    static func algorithmIdentifier(_ der: ArraySlice<UInt8>) -> (oid: [UInt8], parameters: ArraySlice<UInt8>?)? {
        guard let seq = read(der), seq.tag == 0x30, seq.rest.isEmpty,
              let oid = read(seq.content), oid.tag == 0x06 else { return nil }
        if oid.rest.isEmpty { return (Array(oid.content), nil) }
        guard let params = read(oid.rest), params.rest.isEmpty else { return nil }
        return (Array(oid.content), oid.rest)
    }

    static func hashAlgorithm(_ der: ArraySlice<UInt8>) -> HashAlgorithm? {
        guard let (oid, params) = algorithmIdentifier(der) else { return nil }
        if let params, Array(params) != null { return nil }
        return HashAlgorithm.allCases.first { OID.hash($0) == oid }
    }

    /// RSASSA-PSS-params (RFC 4055 §3.1) with defaults SHA-1, MGF1-SHA-1, salt 20.
    static func pssParameters(_ der: ArraySlice<UInt8>) -> (hash: HashAlgorithm, mgf1Hash: HashAlgorithm, salt: Int)? {
        guard let seq = read(der), seq.tag == 0x30, seq.rest.isEmpty else { return nil }
        var hash = HashAlgorithm.sha1, mgf = HashAlgorithm.sha1, salt = 20
        var rest = seq.content
        var lastTag = -1
        while !rest.isEmpty {
            guard let field = read(rest), Int(field.tag) > lastTag else { return nil }
            lastTag = Int(field.tag)
            rest = field.rest
            switch field.tag {
            case 0xA0:
                guard let h = hashAlgorithm(field.content) else { return nil }
                hash = h
            case 0xA1:
                guard let (oid, params) = algorithmIdentifier(field.content), oid == OID.mgf1, let params,
                      let h = hashAlgorithm(params) else { return nil }
                mgf = h
            case 0xA2:
                guard let int = read(field.content), int.tag == 0x02, int.rest.isEmpty, (1...2).contains(int.content.count) else { return nil }
                salt = int.content.reduce(0) { $0 << 8 | Int($1) }
            case 0xA3:
                guard let int = read(field.content), int.tag == 0x02, Array(int.content) == [1] else { return nil }
            default: return nil
            }
        }
        return (hash, mgf, salt)
    }

    /// r ‖ s (each half of the signature) as Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }.
    static func ecdsaSignature(raw: [UInt8]) -> [UInt8] {
        let half = raw.count / 2
        return sequence(integer(unsigned: raw[..<half]) + integer(unsigned: raw[half...]))
    }

    /// Ecdsa-Sig-Value back to r ‖ s, each left-padded to the field; nil when malformed or too long.
    static func ecdsaSignature(der: ArraySlice<UInt8>, fieldBytes: Int) -> [UInt8]? {
        guard let seq = read(der), seq.tag == 0x30, seq.rest.isEmpty,
              let r = read(seq.content), r.tag == 0x02, let s = read(r.rest), s.tag == 0x02, s.rest.isEmpty else { return nil }
        // Each INTEGER: non-empty, not negative, at most the field's length once its leading zeros are dropped.
        func significant(_ v: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
            guard let first = v.first, first & 0x80 == 0 else { return nil }
            let trimmed = v.drop { $0 == 0 }
            return trimmed.count <= fieldBytes ? trimmed : nil
        }
        guard let rr = significant(r.content), let ss = significant(s.content) else { return nil }
        var out = [UInt8](repeating: 0, count: 2 * fieldBytes)
        out.replaceSubrange((fieldBytes - rr.count)..<fieldBytes, with: rr)
        out.replaceSubrange((2 * fieldBytes - ss.count)..<(2 * fieldBytes), with: ss)
        return out
    }

    static func ecdsaSignature(der: [UInt8], fieldBytes: Int) -> [UInt8]? {
        ecdsaSignature(der: der[...], fieldBytes: fieldBytes)
    }
}