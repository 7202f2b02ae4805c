import CLibCrypto
import CryptoFramework
import Testing

/// Helpers of the gmp tests (namespaced: other providers' tests share this module).
enum GMPTestSupport {
    /// Test-side SHA through libcrypto, independent of any provider's own digest code.
    static func digest(_ algorithm: HashAlgorithm, _ data: [UInt8]) -> [UInt8] {
        let md: OpaquePointer? =
            switch algorithm {
            case .sha1: EVP_sha1()
            case .sha224: EVP_sha224()
            case .sha256: EVP_sha256()
            case .sha384: EVP_sha384()
            case .sha512: EVP_sha512()
            }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = data.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, &out, &length, md, nil) }
        return Array(out.prefix(Int(length)))
    }

    /// Big-endian bytes from hex (an odd length gets a leading zero nibble).
    static func bytes(hex: String) -> [UInt8] {
        let digits = Array((hex.count % 2 == 1 ? "0" : "") + hex)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }
}

/// Known answers computed once with Python's hashlib (expected values committed).
@Suite struct RSAPaddingKnownAnswerTests {
    static let seed = Array("CryptoFramework MGF1".utf8)

    @Test func mgf1SHA1() throws {
        let mask = try RSAPadding.mgf1(seed: Self.seed, length: 50, hash: .sha1, using: GMPTestSupport.digest)
        #expect(mask == GMPTestSupport.bytes(hex: "027d9619b98373c2725064126e824676f1ff60e28c8444d8f6a1cb5c4b1049584d801790cb407638d8591c1a2e5677051724"))
    }

    @Test func mgf1SHA256() throws {
        let mask = try RSAPadding.mgf1(seed: Self.seed, length: 70, hash: .sha256, using: GMPTestSupport.digest)
        #expect(mask == GMPTestSupport.bytes(hex: "ec10db6dbb8f7eb3d9fcbcf5cdd9971d8d5b955d162f36f9bc15ff7973f0a41e9566549ef361e55f8044dcf02c5771192aa6acd1034dada3c7828dc3b294daec651daa589f49"))
    }

    /// EMSA-PSS-ENCODE of SHA-256("abc") with salt 00 01 … 1f, emBits 1023.
    @Test func pssEncodeSHA256() throws {
        let em = try RSAPadding.pssEncode(
            mHash: GMPTestSupport.digest(.sha256, Array("abc".utf8)), emBits: 1023, salt: Array(0..<32),
            parameters: PSSParameters(hash: .sha256), hash: GMPTestSupport.digest)
        #expect(em == GMPTestSupport.bytes(hex: "5461d181ca04b8245926d45f0d349a5190e90cb955e6df200175f91abb966d9d6b4de159d029dad206b022b150b8d077472dadf99581d5c8f084ec7bb467798e0fcec86a289081ac20bcc607c23157913de3e71dd0077df758c88aa7c586d0f3fafa6580f36ad92f340631f3a4d18cc67aa34ad64f706021d6f1634d5b020ebc"))
    }
}
