import CryptoFramework
import Providers
import Testing

// Wycheproof RSA verification vectors against the openssl provider: "valid"
// must verify, "invalid" must be refused (verified(false) or a CryptoError such
// as a wrong signature length), "acceptable" may go either way.

private func wycheproofHex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8)
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16) }
}

private func hash(_ name: String) throws -> HashAlgorithm {
    switch name {
    case "SHA-1": .sha1
    case "SHA-224": .sha224
    case "SHA-256": .sha256
    case "SHA-384": .sha384
    case "SHA-512": .sha512
    default: throw CryptoError(.mechanismInvalid, "Wycheproof hash \(name) is not used here")
    }
}

@Test("Wycheproof RSA verification through the openssl provider", arguments: [
    "rsa_signature_2048_sha256_test", "rsa_signature_2048_sha384_test", "rsa_signature_2048_sha512_test",
    "rsa_pss_2048_sha256_mgf1_32_test",
])
func wycheproofRSAVerify(file: String) throws {
    let provider = OpenSSLProvider()
    let vectors = try WycheproofFile<WycheproofRSAVerifyGroup>.load(file)
    var checked = 0
    for group in vectors.testGroups {
        let key = try RSAPublicKey(modulus: wycheproofHex(group.publicKey.modulus), publicExponent: wycheproofHex(group.publicKey.publicExponent))
        let h = try hash(group.sha)
        let isPSS = group.sLen != nil
        let mechanism = isPSS ? h.pssMechanism : h.pkcs1Mechanism
        let pss = try group.sLen.map { PSSParameters(hash: h, mgf1Hash: try hash(group.mgfSha ?? group.sha), saltLength: $0) }
        for test in group.tests {
            let request = CryptoRequest.verify(mechanism, key: key, data: wycheproofHex(test.msg), signature: wycheproofHex(test.sig), pss: pss)
            let accepted: Bool
            do {
                guard case .verified(let ok) = try provider.perform(request, context: OperationContext()) else {
                    Issue.record("tcId \(test.tcId): not a .verified result")
                    continue
                }
                accepted = ok
            } catch is CryptoError {
                accepted = false
            }
            switch test.result {
            case "valid": #expect(accepted, "\(file) tcId \(test.tcId) \(test.comment)")
            case "invalid": #expect(!accepted, "\(file) tcId \(test.tcId) \(test.comment)")
            default: break
            }
            checked += 1
        }
    }
    #expect(checked == vectors.numberOfTests)
}

extension HashAlgorithm {
    fileprivate var pkcs1Mechanism: Mechanism {
        switch self {
        case .sha1: .sha1RSAPKCS
        case .sha224: .sha224RSAPKCS
        case .sha256: .sha256RSAPKCS
        case .sha384: .sha384RSAPKCS
        case .sha512: .sha512RSAPKCS
        }
    }

    fileprivate var pssMechanism: Mechanism {
        switch self {
        case .sha1: .sha1RSAPKCSPSS
        case .sha224: .sha224RSAPKCSPSS
        case .sha256: .sha256RSAPKCSPSS
        case .sha384: .sha384RSAPKCSPSS
        case .sha512: .sha512RSAPKCSPSS
        }
    }
}
