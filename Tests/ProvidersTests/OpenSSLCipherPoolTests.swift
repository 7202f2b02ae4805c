import CLibCrypto
import CryptoFramework
import Dispatch
import Providers
import Synchronization
import Testing

// The openssl provider's one-request ciphers (ECB, CBC, CTR on a pooled
// EVP_CIPHER_CTX, one output array) against libcrypto driven directly on a
// fresh context, and against the provider's own stream (a fresh context per
// stream): every key length, several lengths of data, both directions, from
// many threads at once, and a failed request leaving the pool usable.

private let provider = OpenSSLProvider()

private struct Failure: Error, CustomStringConvertible {
    let description: String
}

private func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ Int(seed)) }
}

/// libcrypto on a fresh context, no padding.
private func reference(_ name: String, encrypt: Bool, key: [UInt8], iv: [UInt8]?, data: [UInt8]) throws -> [UInt8] {
    guard let cipher = EVP_CIPHER_fetch(nil, name, nil), let context = EVP_CIPHER_CTX_new() else { throw Failure(description: "fetch \(name)") }
    defer { EVP_CIPHER_CTX_free(context); EVP_CIPHER_free(cipher) }
    var out = [UInt8](repeating: 0, count: data.count + 16)
    var written: Int32 = 0, last: Int32 = 0
    let ok = key.withUnsafeBufferPointer { k in
        (iv ?? []).withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                data.withUnsafeBufferPointer { d in
                    EVP_CipherInit_ex2(context, cipher, k.baseAddress, iv == nil ? nil : v.baseAddress, encrypt ? 1 : 0, nil) == 1
                        && EVP_CIPHER_CTX_set_padding(context, 0) == 1
                        && EVP_CipherUpdate(context, o.baseAddress, &written, d.baseAddress, Int32(d.count)) == 1
                        && EVP_CipherFinal_ex(context, o.baseAddress! + Int(written), &last) == 1
                }
            }
        }
    }
    guard ok else { throw Failure(description: "\(name) reference failed") }
    return Array(out[0..<Int(written + last)])
}

private func request(_ mechanism: Mechanism, encrypt: Bool, key: [UInt8], parameters: CipherParameters, data: [UInt8]) throws -> [UInt8] {
    let r: CryptoRequest = encrypt
        ? .encrypt(mechanism, key: SecureBytes(key), parameters: parameters, data: data)
        : .decrypt(mechanism, key: SecureBytes(key), parameters: parameters, data: data)
    guard case .bytes(let out) = try provider.perform(r, context: OperationContext()) else { throw Failure(description: "expected .bytes") }
    return out
}

private func streamed(_ mechanism: Mechanism, encrypt: Bool, key: [UInt8], parameters: CipherParameters, data: [UInt8]) throws -> [UInt8] {
    let r: StreamRequest = encrypt
        ? .encrypt(mechanism, key: SecureBytes(key), parameters: parameters)
        : .decrypt(mechanism, key: SecureBytes(key), parameters: parameters)
    guard let stream = try provider.beginStream(r, context: OperationContext()) else { throw Failure(description: "no stream") }
    return try stream.update(data) + stream.finish()
}

/// (mechanism, libcrypto name, key length, parameters for the request, IV for the reference)
private let cases: [(Mechanism, String, Int, CipherParameters, [UInt8]?)] = {
    var all: [(Mechanism, String, Int, CipherParameters, [UInt8]?)] = []
    for bytes in [16, 24, 32] {
        let iv = pattern(16, seed: UInt8(bytes))
        all.append((.aesECB, "AES-\(bytes * 8)-ECB", bytes, .none, nil))
        all.append((.aesCBC, "AES-\(bytes * 8)-CBC", bytes, .iv(iv), iv))
        var counter = iv
        counter[8...] = [0, 0, 0, 0, 0, 0, 0, 0][...]  // a 64-bit counter that cannot wrap here
        all.append((.aesCTR, "AES-\(bytes * 8)-CTR", bytes, .counter(counter, bits: 64), counter))
    }
    let iv8 = pattern(8, seed: 5)
    all.append((.des3ECB, "DES-EDE3-ECB", 24, .none, nil))
    all.append((.des3CBC, "DES-EDE3-CBC", 24, .iv(iv8), iv8))
    return all
}()

@Suite("OpenSSL one-request ciphers on pooled contexts")
struct OpenSSLCipherPoolTests {
    @Test("every mode and key length, both directions, against libcrypto on a fresh context and the stream")
    func againstReference() throws {
        for (mechanism, name, keyLength, parameters, iv) in cases {
            let key = pattern(keyLength, seed: 0x40)
            let block = mechanism == .des3ECB || mechanism == .des3CBC ? 8 : 16
            for length in [0, block, 3 * block, 64 * block] + (mechanism == .aesCTR ? [1, 17, 100] : []) {
                let data = pattern(length, seed: UInt8(length & 0xff))
                for encrypt in [true, false] {
                    let expected = try reference(name, encrypt: encrypt, key: key, iv: iv, data: data)
                    #expect(try request(mechanism, encrypt: encrypt, key: key, parameters: parameters, data: data) == expected,
                            "\(name) \(encrypt ? "encrypt" : "decrypt") \(length) B")
                    #expect(try streamed(mechanism, encrypt: encrypt, key: key, parameters: parameters, data: data) == expected,
                            "\(name) streamed \(length) B")
                }
            }
        }
    }

    @Test("a refused request leaves the pool serving the next one right")
    func errorThenSuccess() throws {
        let iv = pattern(16, seed: 1), key = pattern(16, seed: 2), data = pattern(32, seed: 3)
        #expect(throws: CryptoError.self) {
            _ = try request(.aesCBC, encrypt: true, key: key, parameters: .iv([1, 2, 3]), data: data)
        }
        #expect(try request(.aesCBC, encrypt: true, key: key, parameters: .iv(iv), data: data)
                == reference("AES-128-CBC", encrypt: true, key: key, iv: iv, data: data))
    }

    @Test("threads with different keys share the pooled contexts and each gets its own answer")
    func concurrentKeys() {
        let wrong = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<150 {
                let (mechanism, name, keyLength, parameters, iv) = cases[(thread + round) % cases.count]
                let key = pattern(keyLength, seed: UInt8(thread * 16 + round % 16))
                let data = pattern(16 * (1 + round % 5), seed: UInt8(round & 0xff))
                let encrypt = (thread + round) % 2 == 0
                guard let got = try? request(mechanism, encrypt: encrypt, key: key, parameters: parameters, data: data),
                    let expected = try? reference(name, encrypt: encrypt, key: key, iv: iv, data: data), got == expected
                else {
                    wrong.add(1, ordering: .relaxed)
                    continue
                }
            }
        }
        #expect(wrong.load(ordering: .relaxed) == 0)
    }
}
