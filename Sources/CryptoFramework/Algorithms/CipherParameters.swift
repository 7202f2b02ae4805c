/// A block-cipher mode's parameters, as the PKCS#11 mechanism parameter
/// carries them: none for ECB, the IV for CBC, CK_AES_CTR_PARAMS for CTR,
/// CK_GCM_PARAMS for GCM.
public enum CipherParameters: Sendable, Hashable {
    /// CKM_AES_ECB, CKM_DES3_ECB.
    case none
    /// CKM_AES_CBC, CKM_DES3_CBC: one block.
    case iv([UInt8])
    /// CKM_AES_CTR: the initial counter block (16 bytes) and how many of its
    /// low-order bits are the counter (1…128, v2.40 §2.10.3 ulCounterBits).
    /// The counter never wraps: data that would need it to is refused.
    case counter([UInt8], bits: Int)
    /// CKM_AES_GCM.
    case gcm(GCMParameters)
}

/// CK_GCM_PARAMS (v2.40 §2.11.3): the IV, the additional authenticated data
/// and the tag length in bits. Encryption returns ciphertext ‖ tag;
/// decryption takes ciphertext ‖ tag and releases the plaintext only once the
/// tag is checked.
public struct GCMParameters: Sendable, Hashable {
    public var iv: [UInt8]
    public var additionalData: [UInt8]
    public var tagBits: Int

    public init(iv: [UInt8], additionalData: [UInt8] = [], tagBits: Int = 128) {
        self.iv = iv
        self.additionalData = additionalData
        self.tagBits = tagBits
    }

    public var tagLength: Int { tagBits / 8 }

    /// Tag lengths SP 800-38D §5.2.1.2 allows (32 and 64 only with its Appendix C limits).
    public static let allowedTagBits: Set<Int> = [32, 64, 96, 104, 112, 120, 128]
    /// Longest IV taken, in bytes: SP 800-38D allows up to 2^64 − 1 bits, and
    /// OpenSSL 3's GCM up to 128 bytes (GCM_IV_MAX_SIZE), so every provider
    /// gives the same answer at 128; 96 bits is the norm.
    public static let maximumIVLength = 128
    /// Longest additional data taken in one request, in bytes.
    public static let maximumAdditionalDataLength = 1 << 20
}

/// The framework's one answer to malformed cipher input, before any provider
/// is chosen, so every provider (and a PKCS#11 token behind one) is asked
/// only what it must answer the same way.
public enum CipherRules {
    /// The block length of a cipher mechanism's block cipher, nil for a non-cipher mechanism.
    public static func blockLength(_ mechanism: Mechanism) -> Int? {
        switch mechanism {
        case .aesECB, .aesCBC, .aesCTR, .aesGCM: 16
        case .des3ECB, .des3CBC: 8
        default: nil
        }
    }

    /// Whether the mode takes only whole blocks (ECB, CBC without padding).
    public static func needsWholeBlocks(_ mechanism: Mechanism) -> Bool {
        [.aesECB, .aesCBC, .des3ECB, .des3CBC].contains(mechanism)
    }

    /// Checks the parameters' shape for `mechanism` (CRYPTO_MECHANISM_PARAM_INVALID).
    public static func checkParameters(_ mechanism: Mechanism, _ parameters: CipherParameters) throws {
        guard let block = blockLength(mechanism) else {
            throw CryptoError(.mechanismInvalid, "\(mechanism) is not a block-cipher mechanism")
        }
        switch (mechanism, parameters) {
        case (.aesECB, .none), (.des3ECB, .none):
            return
        case (.aesCBC, .iv(let iv)), (.des3CBC, .iv(let iv)):
            guard iv.count == block else {
                throw CryptoError(.mechanismParamInvalid, "\(mechanism) needs a \(block)-byte IV, got \(iv.count) bytes")
            }
        case (.aesCTR, .counter(let counterBlock, let bits)):
            guard counterBlock.count == 16 else {
                throw CryptoError(.mechanismParamInvalid, "CKM_AES_CTR needs a 16-byte counter block, got \(counterBlock.count) bytes")
            }
            guard (1...128).contains(bits) else {
                throw CryptoError(.mechanismParamInvalid, "CKM_AES_CTR counter bits must be 1…128, got \(bits)")
            }
        case (.aesGCM, .gcm(let p)):
            guard (1...GCMParameters.maximumIVLength).contains(p.iv.count) else {
                throw CryptoError(.mechanismParamInvalid, "CKM_AES_GCM needs an IV of 1…\(GCMParameters.maximumIVLength) bytes (12 is usual), got \(p.iv.count)")
            }
            guard GCMParameters.allowedTagBits.contains(p.tagBits) else {
                throw CryptoError(.mechanismParamInvalid, "CKM_AES_GCM tag length must be one of 32, 64, 96, 104, 112, 120, 128 bits (SP 800-38D §5.2.1.2), got \(p.tagBits)")
            }
            guard p.additionalData.count <= GCMParameters.maximumAdditionalDataLength else {
                throw CryptoError(.mechanismParamInvalid, "CKM_AES_GCM additional data is limited to \(GCMParameters.maximumAdditionalDataLength) bytes, got \(p.additionalData.count)")
            }
        default:
            throw CryptoError(.mechanismParamInvalid, "\(mechanism) does not take parameters of this kind (\(parameters.kind))")
        }
    }

    /// Checks a whole (one-request) input of `count` bytes: whole blocks where
    /// the mode needs them, a counter that does not wrap, a GCM input holding its tag.
    public static func checkData(_ mechanism: Mechanism, _ parameters: CipherParameters, count: Int, encrypting: Bool) throws {
        try checkParameters(mechanism, parameters)
        let block = blockLength(mechanism)!
        if needsWholeBlocks(mechanism), count % block != 0 {
            throw CryptoError(.dataLengthRange, "\(mechanism) without padding needs whole \(block)-byte blocks, got \(count) bytes")
        }
        switch parameters {
        case .counter(let counterBlock, let bits):
            try checkCounter(counterBlock, bits: bits, totalBytes: count)
        case .gcm(let p) where !encrypting:
            guard count >= p.tagLength else {
                throw CryptoError(.dataLengthRange, "CKM_AES_GCM decryption needs ciphertext ‖ a \(p.tagLength)-byte tag, got \(count) bytes")
            }
        default:
            break
        }
    }

    /// CTR: `totalBytes` of keystream from the initial block must not need the
    /// counter's low `bits` bits to wrap (v2.40 §2.10.3 leaves wrapping to the
    /// token; a wrap would repeat keystream, so it is refused).
    public static func checkCounter(_ counterBlock: [UInt8], bits: Int, totalBytes: Int) throws {
        let blocks = UInt64(totalBytes / 16 + (totalBytes % 16 == 0 ? 0 : 1))
        let left = counterBlocksLeft(counterBlock, bits: bits)
        guard blocks <= left else {
            throw CryptoError(.dataLengthRange, "CKM_AES_CTR: a \(bits)-bit counter starting here allows \(left) blocks (\(left &* 16) bytes) before it wraps; \(totalBytes) bytes need \(blocks). Use a counter block with room, or more counter bits")
        }
    }

    /// Counter values left before the low `bits` bits of the big-endian block
    /// wrap (including the current one), saturated at UInt64.max.
    static func counterBlocksLeft(_ block: [UInt8], bits: Int) -> UInt64 {
        let low = block[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if bits < 64 {
            let modulus = UInt64(1) << bits
            return modulus - (low & (modulus - 1))
        }
        let highBits = bits - 64
        if highBits > 0 {
            let high = block[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let mask = highBits == 64 ? UInt64.max : (UInt64(1) << highBits) - 1
            if high & mask != mask { return .max }  // at least 2^64 values left
        }
        return low == 0 ? .max : 0 &- low  // 2^64 − low
    }
}

extension CipherParameters {
    /// The IV bytes of ``iv(_:)`` (AES key wrap's optional initial value), empty for the rest.
    public var ivBytes: [UInt8] {
        if case .iv(let iv) = self { return iv }
        return []
    }

    /// What kind of parameter this is, for messages.
    var kind: String {
        switch self {
        case .none: "no parameter"
        case .iv: "an IV"
        case .counter: "CK_AES_CTR_PARAMS"
        case .gcm: "CK_GCM_PARAMS"
        }
    }
}
