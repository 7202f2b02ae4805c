import CryptoFramework
import Providers
import Testing

/// Diffie-Hellman on the gmp provider: agreement, peer-value checks, private lengths.
@Suite struct GMPDHTests {
    static let provider = GMPProvider()
    static let engine = GMPEngine()

    func generate(_ group: DHGroup, privateBits: Int? = nil) throws -> DHKeyPair {
        guard case .dhKeyPair(let pair) = try Self.provider.perform(
            .generateDHKeyPair(group: group, privateBits: privateBits), context: OperationContext())
        else { throw CryptoError(.dataInvalid, "no key pair") }
        return pair
    }

    func derive(_ key: DHPrivateKey, _ peer: [UInt8]) throws -> SecureBytes {
        guard case .secret(let secret) = try Self.provider.perform(
            .deriveDH(privateKey: key, peerPublicValue: peer), context: OperationContext())
        else { throw CryptoError(.dataInvalid, "no secret") }
        return secret
    }

    @Test(arguments: [1, 2, 5, 14])
    func twoKeyPairsAgree(number: Int) throws {
        let group = try #require(DHGroup.ike(number))
        let alice = try generate(group)
        let bob = try generate(group)
        #expect(alice.publicValue.count == group.byteCount)
        #expect(bob.publicValue.count == group.byteCount)
        #expect(alice.publicValue != bob.publicValue)
        let a = try derive(alice.privateKey, bob.publicValue)
        let b = try derive(bob.privateKey, alice.publicValue)
        #expect(a.count == group.byteCount)
        #expect(a == b)
    }

    /// The peer values docs/DESIGN.md names as bad input, each a clear error.
    @Test(arguments: ["0", "1", "p-1", "p", "p+1", "empty", "over-long"])
    func outOfRangePeerRejected(kind: String) throws {
        let group = try #require(DHGroup.ike(2))
        let pair = try generate(group)
        let x = Self.engine
        let p = x.number(bigEndian: group.prime)
        let peer: [UInt8] =
            switch kind {
            case "0": [0]
            case "1": [0, 1]
            case "p-1": try x.bigEndianBytes(x.subtract(p, x.number(1)), length: group.byteCount)
            case "p": group.prime
            case "p+1": try x.bigEndianBytes(x.add(p, x.number(1)), length: group.byteCount)
            case "empty": []
            default: [1] + group.prime
            }
        let error = #expect(throws: CryptoError.self) { try derive(pair.privateKey, peer) }
        #expect(error.map { [.argumentsBad, .dataInvalid, .dataLengthRange].contains($0.code) } == true)
    }

    @Test func peerAtTheEdgesAccepted() throws {
        let group = try #require(DHGroup.ike(1))
        let pair = try generate(group)
        let x = Self.engine
        let pMinus2 = try x.bigEndianBytes(x.subtract(x.number(bigEndian: group.prime), x.number(2)), length: group.byteCount)
        #expect(try derive(pair.privateKey, [2]).count == group.byteCount)
        #expect(try derive(pair.privateKey, pMinus2).count == group.byteCount)
    }

    @Test(arguments: [1, 2, 14])
    func defaultPrivateBits(number: Int) throws {
        let group = try #require(DHGroup.ike(number))
        let pair = try generate(group)
        let value = Self.engine.number(secret: pair.privateKey.value)
        #expect(Self.engine.bitLength(value) == group.defaultPrivateBits)
    }

    @Test func privateBitsBounds() throws {
        let group = try #require(DHGroup.ike(2))
        for bits in [160, 512, group.bits - 1, group.bits] {
            let pair = try generate(group, privateBits: bits)
            #expect(Self.engine.bitLength(Self.engine.number(secret: pair.privateKey.value)) == bits, "\(bits)")
        }
        for bits in [0, 159, group.bits + 1] {
            let error = #expect(throws: CryptoError.self) { try generate(group, privateBits: bits) }
            #expect(error?.code == .argumentsBad, "\(bits)")
        }
    }

    @Test func privateBitsRule() throws {
        let group = try #require(DHGroup.ike(14))
        #expect(try group.privateExponentBits(requested: nil) == group.defaultPrivateBits)
        #expect(group.defaultPrivateBits == 220)  // RFC 3526 §8: 2 × 110
        #expect(try group.privateExponentBits(requested: 2048) == 2048)
        // Group 1's 2 × 66 = 132 bits is raised to the 160-bit floor.
        let group1 = try #require(DHGroup.ike(1))
        #expect(try group1.privateExponentBits(requested: nil) == 160)
        #expect(throws: CryptoError.self) { try group.privateExponentBits(requested: 2049) }
    }
}
