import CryptoFramework
import Foundation
import TestSupport
import Testing

/// The openssl-generated keys in Fixtures/ (see Fixtures/README.md for how they were made).
enum KeyFixture {
    static func url(_ name: String) throws -> URL {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return directory.appendingPathComponent(name)
    }
    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: url(name))) }
    static func text(_ name: String) throws -> String { try String(contentsOf: url(name), encoding: .utf8) }

    /// The modulus as `openssl rsa -modulus` printed it.
    static func modulus(_ bits: Int) throws -> [UInt8] {
        let line = try text("rsa\(bits).modulus.txt").trimmingCharacters(in: .whitespacesAndNewlines)
        let hex = Array(try #require(line.split(separator: "=").last))
        return stride(from: 0, to: hex.count, by: 2).map { UInt8(String(hex[$0...$0 + 1]), radix: 16)! }
    }
}

/// Components of a private key as plain arrays, for comparison in tests.
private func components(_ key: RSAPrivateKey) -> [[UInt8]] {
    [key.modulus, key.publicExponent, key.privateExponent.bytes, key.prime1.bytes, key.prime2.bytes,
     key.exponent1.bytes, key.exponent2.bytes, key.coefficient.bytes]
}

/// A DER TLV with a definite length, for hand-built inputs.
func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
    var length: [UInt8]
    if content.count < 0x80 {
        length = [UInt8(content.count)]
    } else {
        var n = content.count
        var octets: [UInt8] = []
        while n > 0 { octets.insert(UInt8(n & 0xFF), at: 0); n >>= 8 }
        length = [0x80 | UInt8(octets.count)] + octets
    }
    return [tag] + length + content
}

private let rsaEncryptionOID: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]

/// Expects `body` to throw `CryptoError(.keyInvalid)` whose message mentions `fragment`.
func expectKeyInvalid(
    mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    expectCryptoError(.keyInvalid, mentioning: fragment, sourceLocation: sourceLocation, body)
}

@Suite("RSAKey DER/PEM import and export")
struct RSAKeyDERTests {
    @Test("every openssl form parses to the same components", arguments: [1024, 2048])
    func everyFormAgrees(bits: Int) throws {
        let name = "rsa\(bits)"
        let forms = [
            try RSAPrivateKey(derRepresentation: KeyFixture.bytes("\(name).pkcs8.der")),
            try RSAPrivateKey(derRepresentation: KeyFixture.bytes("\(name).pkcs1.der")),
            try RSAPrivateKey(pemRepresentation: KeyFixture.text("\(name).pkcs8.pem")),
            try RSAPrivateKey(pemRepresentation: KeyFixture.text("\(name).pkcs1.pem")),
        ]
        let reference = components(forms[0])
        for key in forms.dropFirst() { #expect(components(key) == reference) }
        #expect(forms[0].modulus == (try KeyFixture.modulus(bits)))
        #expect(forms[0].bits == bits)
        #expect(forms[0].publicExponent == [0x01, 0x00, 0x01])

        let publics = [
            try RSAPublicKey(derRepresentation: KeyFixture.bytes("\(name).spki.der")),
            try RSAPublicKey(derRepresentation: KeyFixture.bytes("\(name).pkcs1pub.der")),
            try RSAPublicKey(pemRepresentation: KeyFixture.text("\(name).spki.pem")),
            try RSAPublicKey(pemRepresentation: KeyFixture.text("\(name).pkcs1pub.pem")),
        ]
        for key in publics { #expect(key == forms[0].publicKey) }
    }

    @Test("export is byte-identical to openssl's output", arguments: [1024, 2048])
    func exportMatchesOpenSSL(bits: Int) throws {
        let name = "rsa\(bits)"
        let key = try RSAPrivateKey(derRepresentation: KeyFixture.bytes("\(name).pkcs1.der"))
        #expect(key.derRepresentation == (try KeyFixture.bytes("\(name).pkcs8.der")))
        #expect(key.pkcs1DERRepresentation == (try KeyFixture.bytes("\(name).pkcs1.der")))
        #expect(key.pemRepresentation == (try KeyFixture.text("\(name).pkcs8.pem")))
        let pub = key.publicKey
        #expect(pub.derRepresentation == (try KeyFixture.bytes("\(name).spki.der")))
        #expect(pub.pkcs1DERRepresentation == (try KeyFixture.bytes("\(name).pkcs1pub.der")))
        #expect(pub.pemRepresentation == (try KeyFixture.text("\(name).spki.pem")))

        // Export → import → export is stable.
        let again = try RSAPrivateKey(derRepresentation: key.derRepresentation)
        #expect(components(again) == components(key))
        #expect(try RSAPublicKey(pemRepresentation: pub.pemRepresentation) == pub)
        #expect(try RSAPublicKey(derRepresentation: pub.pkcs1DERRepresentation) == pub)
    }

    @Test("SPKI with absent AlgorithmIdentifier parameters is accepted")
    func spkiWithoutNull() throws {
        let pkcs1 = try KeyFixture.bytes("rsa1024.pkcs1pub.der")
        let spki = tlv(0x30, tlv(0x30, rsaEncryptionOID) + tlv(0x03, [0] + pkcs1))
        let key = try RSAPublicKey(derRepresentation: spki)
        #expect(key.pkcs1DERRepresentation == pkcs1)
    }

    @Test("PKCS#8 version 1 (OneAsymmetricKey) with a publicKey field")
    func oneAsymmetricKey() throws {
        let pkcs1 = try KeyFixture.bytes("rsa1024.pkcs1.der")
        let algorithm = tlv(0x30, rsaEncryptionOID + [0x05, 0x00])
        func v1(publicKey: [UInt8]) -> [UInt8] {
            tlv(0x30, [0x02, 0x01, 0x01] + algorithm + tlv(0x04, pkcs1) + tlv(0x81, [0] + publicKey))
        }
        let key = try RSAPrivateKey(derRepresentation: v1(publicKey: KeyFixture.bytes("rsa1024.pkcs1pub.der")))
        #expect(key.pkcs1DERRepresentation == pkcs1)
        let other = try KeyFixture.bytes("rsa2048.pkcs1pub.der")
        expectKeyInvalid(mentioning: "publicKey field does not match") { _ = try RSAPrivateKey(derRepresentation: v1(publicKey: other)) }
        // Version 0 may not carry a publicKey.
        var v0 = v1(publicKey: other)
        #expect(v0[1] == 0x82 && v0[4...6] == [0x02, 0x01, 0x01])  // SEQUENCE header, then version INTEGER 1
        v0[6] = 0x00
        expectKeyInvalid(mentioning: "unexpected element [1]") { _ = try RSAPrivateKey(derRepresentation: v0) }
    }

    @Test("a private key handed to the public-key importer says so")
    func privateAsPublic() throws {
        let pkcs1 = try KeyFixture.bytes("rsa1024.pkcs1.der")
        expectKeyInvalid(mentioning: "looks like a private key") { _ = try RSAPublicKey(derRepresentation: pkcs1) }
        let spki = try KeyFixture.bytes("rsa1024.spki.der")
        expectKeyInvalid(mentioning: "not an RSA private key") { _ = try RSAPrivateKey(derRepresentation: spki) }
    }

    @Test("an EC key is refused, naming its algorithm OID")
    func ecKeyRefused() throws {
        expectKeyInvalid(mentioning: "not an RSA key: algorithm OID 1.2.840.10045.2.1") {
            _ = try RSAPublicKey(pemRepresentation: KeyFixture.text("ec-p256.spki.pem"))
        }
        expectKeyInvalid(mentioning: "1.2.840.10045.2.1") {
            _ = try RSAPrivateKey(pemRepresentation: KeyFixture.text("ec-p256.pkcs8.pem"))
        }
    }

    @Test("encrypted PEM is refused as unsupported", arguments: ["rsa1024.encrypted-pkcs8.pem", "rsa1024.encrypted-pkcs1.pem"])
    func encryptedRefused(file: String) throws {
        let pem = try KeyFixture.text(file)
        expectKeyInvalid(mentioning: "encrypted keys are not supported") { _ = try RSAPrivateKey(pemRepresentation: pem) }
    }

    @Test("a multi-prime key is refused", arguments: ["rsa1024-3prime.pkcs1.pem", "rsa1024-3prime.pkcs8.pem"])
    func multiPrimeRefused(file: String) throws {
        let pem = try KeyFixture.text(file)
        expectKeyInvalid(mentioning: "PKCS#1 RSAPrivateKey has version 1 (multi-prime); only two-prime keys are supported") {
            _ = try RSAPrivateKey(pemRepresentation: pem)
        }
    }

    @Test("a key with a corrupted CRT exponent is refused")
    func corruptedCRTRefused() throws {
        let der = try KeyFixture.bytes("rsa1024-badcrt.pkcs1.der")
        expectKeyInvalid(mentioning: "CRT exponents do not match d") { _ = try RSAPrivateKey(derRepresentation: der) }
    }

    @Test("framing damage gets a plain message")
    func framing() throws {
        let der = try KeyFixture.bytes("rsa1024.pkcs8.der")
        expectKeyInvalid(mentioning: "trailing bytes after the key") { _ = try RSAPrivateKey(derRepresentation: der + [0]) }
        expectKeyInvalid(mentioning: "truncated") { _ = try RSAPrivateKey(derRepresentation: der.dropLast()) }
        expectKeyInvalid(mentioning: "empty") { _ = try RSAPublicKey(derRepresentation: [UInt8]()) }
        let spki = try KeyFixture.bytes("rsa1024.spki.der")
        expectKeyInvalid(mentioning: "trailing bytes") { _ = try RSAPublicKey(derRepresentation: spki + [0x05, 0x00]) }
    }

    @Test("INTEGERs must be positive and minimally encoded")
    func integerRules() throws {
        let key = try RSAPublicKey(derRepresentation: KeyFixture.bytes("rsa1024.pkcs1pub.der"))
        let e = tlv(0x02, key.publicExponent)
        let negativeModulus = tlv(0x30, tlv(0x02, key.modulus) + e)  // top bit set, no sign octet
        expectKeyInvalid(mentioning: "modulus is negative") { _ = try RSAPublicKey(derRepresentation: negativeModulus) }
        let zeroExponent = tlv(0x30, tlv(0x02, [0] + key.modulus) + tlv(0x02, [0]))
        expectKeyInvalid(mentioning: "exponent is zero") { _ = try RSAPublicKey(derRepresentation: zeroExponent) }
        let padded = tlv(0x30, tlv(0x02, [0, 0] + key.modulus) + e)
        expectKeyInvalid(mentioning: "not minimally encoded") { _ = try RSAPublicKey(derRepresentation: padded) }
        // The leading sign octet is stripped from the stored value.
        #expect(key.modulus.first! & 0x80 != 0)
        #expect(key.modulus.count == 128)
    }

    @Test("PEM labels must match their contents and the key type")
    func pemLabels() throws {
        let pkcs1 = try KeyFixture.bytes("rsa1024.pkcs1pub.der")
        let mislabelled = "-----BEGIN PUBLIC KEY-----\n" + Data(pkcs1).base64EncodedString(options: .lineLength64Characters)
            + "\n-----END PUBLIC KEY-----\n"
        expectKeyInvalid(mentioning: "does not match its contents") { _ = try RSAPublicKey(pemRepresentation: mislabelled) }
        let privatePEM = try KeyFixture.text("rsa1024.pkcs8.pem")
        expectKeyInvalid(mentioning: "RSAPrivateKey(pemRepresentation:)") { _ = try RSAPublicKey(pemRepresentation: privatePEM) }
        expectKeyInvalid(mentioning: "PEM") { _ = try RSAPrivateKey(pemRepresentation: "not a key") }
        let certificate = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"
        expectKeyInvalid(mentioning: "\"CERTIFICATE\"") { _ = try RSAPrivateKey(pemRepresentation: certificate) }
    }
}

@Suite("RSAKey DER robustness")
struct RSAKeyDERRobustnessTests {
    /// Damaged copies of `der`: every truncation, every single bit flip, random byte
    /// overwrites, random garbage, and inflated length fields at every header.
    static func mutations(of der: [UInt8], seed: UInt64, randomCount: Int) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        var out: [[UInt8]] = []
        for length in 0..<der.count { out.append(Array(der[..<length])) }
        for index in der.indices {
            for bit in 0..<8 {
                var m = der
                m[index] ^= 1 << bit
                out.append(m)
            }
        }
        for _ in 0..<randomCount {
            var m = der
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                m[Int.random(in: m.indices, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            out.append(m)
        }
        for _ in 0..<randomCount / 4 {
            let count = Int.random(in: 0...700, using: &rng)
            var garbage = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if !garbage.isEmpty && Bool.random(using: &rng) { garbage[0] = 0x30 }  // look like a SEQUENCE
            out.append(garbage)
        }
        // Length inflation: at every offset, treat the next octet as a length and
        // replace it with larger short and long forms.
        for index in der.indices.dropLast() {
            for replacement: [UInt8] in [[0x7F], [0x81, 0xFF], [0x82, 0xFF, 0xFF], [0x84, 0x7F, 0xFF, 0xFF, 0xFF], [0x88] + Array(repeating: 0xFF, count: 8), [0x80]] {
                out.append(Array(der[...index]) + replacement + Array(der[(index + 2)...]))
            }
        }
        return out
    }

    /// Each input parses (and is then a consistent key) or throws CryptoError.
    @Test("mutated private keys never crash")
    func privateKeyMutations() throws {
        let der = try KeyFixture.bytes("rsa1024.pkcs8.der")
        let inputs = Self.mutations(of: der, seed: 0x5EED_0001, randomCount: 9000)
        #expect(inputs.count >= 20_000)
        var accepted = 0
        for input in inputs {
            do {
                let key = try RSAPrivateKey(derRepresentation: input)
                accepted += 1
                // Its components satisfy the key's own checks when rebuilt from scratch,
                // and it exports to DER that imports to the same key.
                let rebuilt = try RSAPrivateKey(
                    modulus: key.modulus, publicExponent: key.publicExponent, privateExponent: key.privateExponent,
                    prime1: key.prime1, prime2: key.prime2, exponent1: key.exponent1, exponent2: key.exponent2,
                    coefficient: key.coefficient)
                #expect(try RSAPrivateKey(derRepresentation: rebuilt.derRepresentation).modulus == key.modulus)
            } catch let error as CryptoError {
                #expect(error.code == .keyInvalid || error.code == .keySizeRange, "\(error)")
                #expect(!error.message.isEmpty)
            } catch {
                Issue.record("non-CryptoError \(type(of: error)): \(error)")
            }
        }
        // The unmodified key (the truncation list stops one short; bit flips all change it).
        #expect(accepted < inputs.count / 10)
    }

    @Test("mutated public keys never crash")
    func publicKeyMutations() throws {
        for file in ["rsa2048.spki.der", "rsa2048.pkcs1pub.der"] {
            let der = try KeyFixture.bytes(file)
            for input in Self.mutations(of: der, seed: 0x5EED_0002, randomCount: 3000) {
                do {
                    let key = try RSAPublicKey(derRepresentation: input)
                    let rebuilt = try RSAPublicKey(modulus: key.modulus, publicExponent: key.publicExponent)
                    #expect(try RSAPublicKey(derRepresentation: rebuilt.derRepresentation) == key)
                } catch let error as CryptoError {
                    #expect(error.code == .keyInvalid || error.code == .keySizeRange, "\(error)")
                } catch {
                    Issue.record("non-CryptoError \(type(of: error)): \(error)")
                }
            }
        }
    }
}
