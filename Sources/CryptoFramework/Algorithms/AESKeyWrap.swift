/// AES key wrap, CKM_AES_KEY_WRAP (RFC 3394) and CKM_AES_KEY_WRAP_PAD
/// (RFC 5649), as ``CryptoRequest/encrypt(_:key:iv:data:)`` (wrap) and
/// ``CryptoRequest/decrypt(_:key:iv:data:)`` (unwrap): the checks every
/// provider's request is held to before it is served, so a malformed one
/// gets one answer. An unwrap whose integrity check fails is `dataInvalid`.
public enum AESKeyWrap {
    public static let mechanisms: [Mechanism] = [.aesKeyWrap, .aesKeyWrapPad]

    /// RFC 3394 §2.2.3.1 default initial value A6A6A6A6A6A6A6A6; RFC 5649 §3's
    /// alternative initial value starts A65959A6 (then the 32-bit length).
    public static let defaultIV: [UInt8] = [0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6]
    public static let defaultPaddedIV: [UInt8] = [0xA6, 0x59, 0x59, 0xA6]

    /// The wrapped length of `count` bytes of key.
    public static func wrappedLength(_ mechanism: Mechanism, count: Int) -> Int {
        mechanism == .aesKeyWrapPad ? (count + 7) / 8 * 8 + 8 : count + 8
    }

    /// The checks of a wrap (`wrapping`) or unwrap request: an AES key of 16,
    /// 24 or 32 bytes (`keySizeRange`), an IV that is empty (the RFC's) or of
    /// the mechanism's length (`mechanismParamInvalid`), and a length the RFC
    /// allows (`dataLengthRange`): wrap 16 bytes or more in whole 8-byte
    /// blocks (RFC 3394 §2: n ≥ 2), 1 byte or more with padding; unwrap whole
    /// blocks, at least 24 bytes (16 with padding).
    public static func check(_ mechanism: Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8], wrapping: Bool) throws {
        guard [16, 24, 32].contains(key.count) else {
            throw CryptoError(.keySizeRange, "\(mechanism.name) takes 16-, 24- or 32-byte AES keys, got \(key.count) bytes")
        }
        let padded = mechanism == .aesKeyWrapPad
        let ivLength = padded ? defaultPaddedIV.count : defaultIV.count
        guard iv.isEmpty || iv.count == ivLength else {
            throw CryptoError(.mechanismParamInvalid, "\(mechanism.name) takes no IV or a \(ivLength)-byte one, got \(iv.count) bytes")
        }
        let limit = 1 << 24  // far beyond any key; bounds the work of one request
        if wrapping {
            guard padded ? (1...limit).contains(data.count) : (data.count >= 16 && data.count % 8 == 0 && data.count <= limit) else {
                throw CryptoError(.dataLengthRange,
                    padded ? "\(mechanism.name) wraps 1 byte or more, got \(data.count)"
                        : "\(mechanism.name) wraps whole 8-byte blocks, 16 bytes or more; got \(data.count)")
            }
        } else {
            guard data.count % 8 == 0, data.count >= (padded ? 16 : 24), data.count <= limit + 16 else {
                throw CryptoError(.dataLengthRange,
                    "\(mechanism.name) unwraps whole 8-byte blocks, at least \(padded ? 16 : 24) bytes; got \(data.count)")
            }
        }
    }
}
