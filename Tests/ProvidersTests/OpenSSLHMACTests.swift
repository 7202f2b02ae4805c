import CLibCrypto
import CryptoFramework
import Dispatch
import Providers
import Synchronization
import TestSupport
import Testing

// The openssl provider's one-shot HMAC (RFC 2104 over a pooled EVP_MD_CTX)
// against libcrypto's own HMAC (EVP_Q_mac), which the provider no longer calls
// per request: every digest, every key length around the digest's block (a
// key longer than a block is hashed first), and the streamed form, which
// still runs on libcrypto's EVP_MAC.

private let provider = OpenSSLProvider()

private let digests: [(Mechanism, String, blockLength: Int)] = [
    (.md5HMAC, "MD5", 64), (.sha1HMAC, "SHA1", 64), (.sha224HMAC, "SHA2-224", 64),
    (.sha256HMAC, "SHA2-256", 64), (.sha384HMAC, "SHA2-384", 128), (.sha512HMAC, "SHA2-512", 128),
]

private struct Failure: Error, CustomStringConvertible {
    let description: String
}

/// libcrypto's HMAC of `data` under `key` with the digest called `name`.
private func libcryptoHMAC(_ name: String, key: [UInt8], data: [UInt8]) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 64)
    var length = 0
    let made = key.withUnsafeBytes { k in
        data.withUnsafeBytes { d in
            out.withUnsafeMutableBytes { o in
                EVP_Q_mac(nil, "HMAC", nil, name, nil, k.baseAddress, k.count, d.baseAddress, d.count,
                          o.bindMemory(to: UInt8.self).baseAddress, o.count, &length)
            }
        }
    }
    guard made != nil else { throw Failure(description: "EVP_Q_mac(\(name)) failed") }
    return Array(out[0..<length])
}

private func providerHMAC(_ mechanism: Mechanism, key: [UInt8], data: [UInt8]) throws -> [UInt8] {
    guard case .secret(let mac) = try provider.perform(.mac(mechanism, key: SecureBytes(key), data: SecureBytes(data)), context: OperationContext())
    else { throw Failure(description: "expected .secret") }
    return mac.bytes
}

private func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}

@Suite("OpenSSL one-shot HMAC against libcrypto's")
struct OpenSSLHMACTests {
    @Test("every digest, key lengths 1 to two blocks and one more, against EVP_Q_mac and the stream")
    func everyKeyLength() throws {
        for (mechanism, name, block) in digests {
            for keyLength in Array(1...(2 * block + 1)) {
                let key = pattern(keyLength, seed: UInt8(truncatingIfNeeded: keyLength))
                for data in [[], [0x61], pattern(block - 1, seed: 7), pattern(1000, seed: 9)] {
                    let expected = try libcryptoHMAC(name, key: key, data: data)
                    #expect(try providerHMAC(mechanism, key: key, data: data) == expected,
                            "\(name) key \(keyLength) B data \(data.count) B")
                }
            }
            // The streamed form (EVP_MAC) agrees on a key longer than a block.
            let key = pattern(block + 5, seed: 3), data = pattern(300, seed: 4)
            let stream = try #require(try provider.beginStream(.mac(mechanism, key: SecureBytes(key)), context: OperationContext()))
            _ = try stream.update(Array(data[..<100]))
            _ = try stream.update(Array(data[100...]))
            #expect(try stream.finish() == libcryptoHMAC(name, key: key, data: data), "\(name) streamed")
        }
    }

    @Test("RFC 4231 test case 6: a 131-byte key (hashed first) with SHA-256 and SHA-512")
    func longKeyKnownAnswer() throws {
        let key = [UInt8](repeating: 0xaa, count: 131)
        let data = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(try providerHMAC(.sha256HMAC, key: key, data: data).hex
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(try providerHMAC(.sha512HMAC, key: key, data: data).hex
                == "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598")
    }

    @Test("concurrent HMACs under different keys share the pooled contexts and each gets its own answer")
    func concurrentKeys() throws {
        let threads = 8, rounds = 200
        let wrong = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for round in 0..<rounds {
                let (mechanism, name, block) = digests[(thread + round) % digests.count]
                let key = pattern(1 + (thread * 37 + round) % (block + 9), seed: UInt8(thread))
                let data = pattern(round % 97, seed: UInt8(round & 0xff))
                guard let got = try? providerHMAC(mechanism, key: key, data: data),
                    let expected = try? libcryptoHMAC(name, key: key, data: data), got == expected
                else {
                    wrong.add(1, ordering: .relaxed)
                    continue
                }
            }
        }
        #expect(wrong.load(ordering: .relaxed) == 0)
    }
}
