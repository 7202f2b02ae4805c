import CryptoFramework
import Providers
import Testing

@Suite("Diffie-Hellman across providers")
struct DHInteropTests {
    static let framework = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))
    static let groups = DHGroup.allIKE.compactMap(\.number)

    /// Providers that generate and derive in `group`.
    static func dhProviders(for group: DHGroup) -> [String] {
        framework.providers.filter { d in
            [Mechanism.dhPKCSKeyPairGen, .dhPKCSDerive].allSatisfy { d.info(for: $0)?.accepts(keyBits: group.bits) ?? false }
        }.map(\.name)
    }

    @Test("keys generated on one provider agree with the other's", arguments: groups)
    func crossProviderAgreement(groupNumber: Int) throws {
        let group = try #require(DHGroup.ike(groupNumber))
        let names = Self.dhProviders(for: group)
        #expect(names.contains("openssl") && names.contains("gmp"), "openssl and gmp both serve \(group)")
        for a in names {
            for b in names where a != b {
                let pa = try Self.framework.pinned(to: a), pb = try Self.framework.pinned(to: b)
                let ka = try pa.generateDHKeyPair(group: group)
                let kb = try pb.generateDHKeyPair(group: group)
                #expect(ka.publicValue.count == group.byteCount)
                let za = try pa.deriveDH(privateKey: ka.privateKey, peerPublicValue: kb.publicValue)
                let zb = try pb.deriveDH(privateKey: kb.privateKey, peerPublicValue: ka.publicValue)
                #expect(za.count == group.byteCount)
                #expect(za == zb, "\(a) and \(b) disagree in \(group)")
            }
        }
    }

    @Test("a full-length private exponent works and the default is twice the strength", arguments: ["openssl", "gmp"])
    func privateExponentLengths(provider: String) throws {
        let view = try Self.framework.pinned(to: provider)
        let group = DHGroup.modp14
        let full = try view.generateDHKeyPair(group: group, privateBits: group.bits)
        let short = try view.generateDHKeyPair(group: group)
        #expect(bitLength(full.privateKey.value.bytes) > group.bits - 16)
        #expect(bitLength(short.privateKey.value.bytes) == group.defaultPrivateBits)
        let z1 = try view.deriveDH(privateKey: full.privateKey, peerPublicValue: short.publicValue)
        let z2 = try view.deriveDH(privateKey: short.privateKey, peerPublicValue: full.publicValue)
        #expect(z1 == z2)
        #expect(throws: CryptoError.self) { try view.generateDHKeyPair(group: group, privateBits: 8) }
    }

    @Test("peer values outside 2...p-2 are rejected with a clear error", arguments: ["openssl", "gmp"], [2, 14])
    func outOfRangePeers(provider: String, groupNumber: Int) throws {
        let group = try #require(DHGroup.ike(groupNumber))
        let view = try Self.framework.pinned(to: provider)
        let mine = try view.generateDHKeyPair(group: group)
        let p = group.prime
        let bad: [(String, [UInt8])] = [
            ("0", [0]), ("1", [1]), ("p-1", p.minus(1)), ("p", p), ("p+1", p.plus(1)), ("empty", []),
            ("over-long", [UInt8](repeating: 0x01, count: group.byteCount + 1)),
            ("1 padded to p's length", [UInt8](repeating: 0, count: group.byteCount - 1) + [1]),
        ]
        for (name, value) in bad {
            let error = try #require(throws: CryptoError.self, "\(name) must be rejected") {
                try view.deriveDH(privateKey: mine.privateKey, peerPublicValue: value)
            }
            #expect([.dataInvalid, .dataLengthRange, .argumentsBad].contains(error.code), "\(name): \(error)")
            #expect(error.message.contains("DH"), "message names the problem: \(error.message)")
        }
        // The edges that are allowed: 2 and p-2.
        _ = try view.deriveDH(privateKey: mine.privateKey, peerPublicValue: [2])
        _ = try view.deriveDH(privateKey: mine.privateKey, peerPublicValue: p.minus(2))
    }
}

func bitLength(_ bytes: [UInt8]) -> Int {
    guard let i = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
    return (bytes.count - i) * 8 - bytes[i].leadingZeroBitCount
}

extension Array where Element == UInt8 {
    /// Big-endian self + k (k < 256), growing by a byte on carry out.
    func plus(_ k: UInt8) -> [UInt8] {
        var out = self, carry = UInt16(k), i = out.count - 1
        while carry > 0 && i >= 0 {
            let s = UInt16(out[i]) + carry
            out[i] = UInt8(s & 0xff)
            carry = s >> 8
            i -= 1
        }
        return carry > 0 ? [UInt8(carry)] + out : out
    }

    /// Big-endian self − k (self ≥ k, k < 256).
    func minus(_ k: UInt8) -> [UInt8] {
        var out = self, borrow = Int(k), i = out.count - 1
        while borrow > 0 && i >= 0 {
            let d = Int(out[i]) - borrow
            out[i] = UInt8((d + 256) % 256)
            borrow = d < 0 ? 1 : 0
            i -= 1
        }
        return out
    }
}
