/// CK_ECDH1_DERIVE_PARAMS (PKCS#11 v2.40 §2.3.13) without the peer value,
/// which the request carries: the key derivation function applied to the
/// shared secret Z, its shared data, and how many bytes to derive.
public struct ECDHParameters: Sendable, Hashable {
    /// CK_EC_KDF_TYPE.
    public enum KDF: Sendable, Hashable, CustomStringConvertible {
        /// CKD_NULL: Z itself (the x-coordinate, or X25519's u), as long as the field.
        case null
        /// CKD_SHA1_KDF, CKD_SHA224_KDF, CKD_SHA256_KDF, CKD_SHA384_KDF, CKD_SHA512_KDF:
        /// ANSI X9.63 §5.6.3 (SEC 1 §3.6.1), Hash(Z ‖ counter ‖ SharedInfo) with a
        /// 32-bit big-endian counter from 1, concatenated and truncated.
        case x963(HashAlgorithm)

        /// The CKD_ value (pkcs11t.h).
        public var ckdValue: UInt64 {
            switch self {
            case .null: 0x01
            case .x963(.sha1): 0x02
            case .x963(.sha224): 0x05
            case .x963(.sha256): 0x06
            case .x963(.sha384): 0x07
            case .x963(.sha512): 0x08
            }
        }

        /// The KDF with CKD_ value `value`, or nil (CKD_SHA1_KDF_ASN1 and the others are not served).
        public init?(ckdValue value: UInt64) {
            let all: [KDF] = [.null] + HashAlgorithm.allCases.map { .x963($0) }
            guard let found = all.first(where: { $0.ckdValue == value }) else { return nil }
            self = found
        }

        public var description: String {
            switch self {
            case .null: "CKD_NULL"
            case .x963(let hash): "CKD_\(hash.rawValue.uppercased())_KDF"
            }
        }
    }

    public var kdf: KDF
    /// X9.63's SharedInfo; must be empty with CKD_NULL (PKCS#11 v2.40 §2.3.13).
    public var sharedData: [UInt8]
    /// Bytes to derive: nil gives the whole of Z for CKD_NULL, one hash for a KDF.
    /// With CKD_NULL a shorter length keeps Z's leading bytes.
    public var length: Int?

    public init(kdf: KDF = .null, sharedData: [UInt8] = [], length: Int? = nil) {
        self.kdf = kdf
        self.sharedData = sharedData
        self.length = length
    }

    /// CKD_NULL, the whole shared secret.
    public static let null = ECDHParameters()

    /// The most a KDF derives in one request (as for ``CryptoRequest/maxRandomBytes``).
    public static let maxDerivedBytes = 1 << 16

    /// The output length for a shared secret of `secretLength` bytes, or the
    /// framework's error for parameters no provider may accept.
    public func outputLength(secretLength: Int) throws -> Int {
        switch kdf {
        case .null:
            guard sharedData.isEmpty else {
                throw CryptoError(.mechanismParamInvalid, "CKD_NULL takes no shared data; \(sharedData.count) bytes were given (use a CKD_SHA*_KDF)")
            }
            let wanted = length ?? secretLength
            guard (1...secretLength).contains(wanted) else {
                throw CryptoError(.mechanismParamInvalid, "CKD_NULL derives 1...\(secretLength) bytes (the shared secret's length), not \(wanted)")
            }
            return wanted
        case .x963(let hash):
            let wanted = length ?? hash.digestLength
            guard (1...Self.maxDerivedBytes).contains(wanted) else {
                throw CryptoError(.mechanismParamInvalid, "\(kdf) derives 1...\(Self.maxDerivedBytes) bytes here, not \(wanted)")
            }
            guard sharedData.count <= Self.maxDerivedBytes else {
                throw CryptoError(.mechanismParamInvalid, "\(kdf) shared data of \(sharedData.count) bytes is over \(Self.maxDerivedBytes)")
            }
            return wanted
        }
    }
}

/// A hash over secret input with a secret output (the KDF's blocks): the
/// provider's own hash, reading and writing wiping buffers only.
public typealias SecretHashFunction = (_ algorithm: HashAlgorithm, _ data: SecureBytes) throws -> SecureBytes

/// The KDF step of CKM_ECDH1_DERIVE, written once for every provider: each
/// computes Z with its own arithmetic and hands it here with its own hash.
public enum ECDHKeyDerivation {
    /// What `parameters` derive from the shared secret `z` (already checked by
    /// ``ECInputRules/checkSharedSecret(_:curve:)``).
    public static func derive(_ z: SecureBytes, parameters: ECDHParameters, hash: SecretHashFunction) throws -> SecureBytes {
        let length = try parameters.outputLength(secretLength: z.count)
        switch parameters.kdf {
        case .null:
            // The whole of Z (the usual request) is Z itself: SecureBytes is immutable,
            // so no second buffer is made, copied and wiped.
            return length == z.count ? z : z.prefix(length)
        case .x963(let algorithm):
            var blocks: [SecureBytes] = []
            var produced = 0
            var counter: UInt32 = 1
            let sharedInfo = SecureBytes(parameters.sharedData)
            while produced < length {
                let bigEndian = SecureBytes(withUnsafeBytes(of: counter.bigEndian) { Array($0) })
                let block = try hash(algorithm, SecureBytes(concatenating: [z, bigEndian, sharedInfo]))
                guard block.count == algorithm.digestLength else {
                    throw CryptoError(.deviceError, "\(algorithm) returned \(block.count) bytes for the X9.63 KDF")
                }
                blocks.append(block)
                produced += block.count
                counter += 1
            }
            return SecureBytes(concatenating: blocks).prefix(length)
        }
    }
}
