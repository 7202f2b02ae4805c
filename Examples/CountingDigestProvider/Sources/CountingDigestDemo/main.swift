import CountingDigestProvider
import CryptoFramework
import Foundation
import Providers

// Registers the out-of-tree provider next to the host's, runs requests, and
// prints who served each: SHA-256 goes to `counting` (first in priority),
// SHA-512 to openssl (counting does not offer it), and after the policy
// disables CKM_SHA256 for `counting`, SHA-256 goes back to openssl.
let counting = CountingDigestProvider()
let framework = try CryptoFramework(
    platform: .hostWithCounting(counting, base: .host), policy: .inMemory(Policy()))
let openssl = try framework.pinned(to: "openssl")

var failures = 0
@MainActor func run(_ mechanism: Mechanism, _ text: String) throws {
    let data = Array(text.utf8)
    let result = try framework.perform(.digest(mechanism, data: data))
    let digest = try result.value.bytes
    let reference = try openssl.digest(mechanism, data: data)
    let agrees = digest == reference
    if !agrees { failures += 1 }
    let hex = digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    print("\(mechanism.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \((text.count > 12 ? "\(text.count) bytes" : text.debugDescription).padding(toLength: 12, withPad: " ", startingAt: 0)) served by \(result.report.provider.padding(toLength: 9, withPad: " ", startingAt: 0)) \(hex)…  \(agrees ? "matches openssl" : "MISMATCH")")
}

print("platform \(framework.platform.name): \(framework.providers.map(\.name).joined(separator: ", "))")
for text in ["", "abc", String(repeating: "a", count: 1000), "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"] {
    try run(.sha256, text)
}
try run(.sha512, "abc")

var policy = Policy()
policy.disable(provider: CountingDigestProvider.name, mechanisms: [.sha256])
framework.setPolicy(policy)
print("cryptoadm-style policy change: counting:disabledlist=CKM_SHA256")
try run(.sha256, "abc")

print("counting served \(counting.requestCount) requests, \(counting.byteCount) bytes")
if counting.requestCount != 4 || failures != 0 {
    print("FAILED: expected counting to serve 4 digests, all matching openssl")
    exit(1)
}
print("ok")
