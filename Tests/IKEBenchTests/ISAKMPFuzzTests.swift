import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import TestSupport
import IKETestKit
import Testing

/// The parser on ≥ 100,000 mutated messages from a seeded generator: it may
/// refuse them (with an ISAKMPError) but never crash, hang or throw anything else.
@Suite("ISAKMP parser fuzz")
struct ISAKMPFuzzTests {
    /// Real messages 1–4 and the decrypted chains of 5 and 6 as seeds.
    static func seeds() async throws -> [(bytes: [UInt8], isChain: Bool)] {
        var seeds: [([UInt8], Bool)] = []
        let pair = IKETestSupport.Pair(suite: IKETestSupport.suite(2, .sha1, .aes128))
        let m1 = pair.initiator.start()
        let m2 = try await pair.responder.receive(m1)
        let m3 = try await pair.initiator.message3(after: m2)
        let m4 = try await pair.responder.receive(m3)
        seeds += [(m1, false), (m2, false), (m3, false), (m4, false)]
        let sig = [UInt8](repeating: 0xAB, count: 128)
        let chain5 = ISAKMPMessage.encodePayloads([.identification(IKEIdentities.initiatorID), .certificate(encoding: 4, data: [1, 2, 3]), .signature(sig)])
        let chain6 = ISAKMPMessage.encodePayloads([.identification(IKEIdentities.responderID), .hash([UInt8](repeating: 7, count: 20)), .signature(sig)])
        seeds += [(chain5, true), (chain6, true)]
        return seeds
    }

    static func mutate(_ seed: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = seed
        let rounds = Int.random(in: 1...4, using: &rng)
        for _ in 0..<rounds {
            switch Int.random(in: 0..<8, using: &rng) {
            case 0, 1:  // flip a bit
                guard !b.isEmpty else { continue }
                b[Int.random(in: 0..<b.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 2:  // random byte
                guard !b.isEmpty else { continue }
                b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 3:  // truncate
                b = Array(b.prefix(Int.random(in: 0...b.count, using: &rng)))
            case 4:  // extend with garbage
                b += (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 5:  // a length field (any 16-bit position) set to an extreme
                guard b.count > 2 else { continue }
                let i = Int.random(in: 0..<(b.count - 1), using: &rng)
                let v: UInt16 = [0, 1, 3, 4, 0x7FFF, 0xFFFF, UInt16(b.count), UInt16(b.count &+ 1)].randomElement(using: &rng)!
                b[i] = UInt8(v >> 8); b[i + 1] = UInt8(v & 0xFF)
            case 6:  // duplicate a slice
                guard b.count > 4 else { continue }
                let s = Int.random(in: 0..<b.count - 4, using: &rng)
                b.insert(contentsOf: b[s..<min(b.count, s + Int.random(in: 4...40, using: &rng))], at: s)
            default:  // a next-payload byte set to a random type, maybe critical
                guard b.count > 1 else { continue }
                b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
        }
        return b
    }

    /// Fixes the header's length field half the time so mutations reach the payloads.
    static func fixLength(_ b: inout [UInt8], _ rng: inout SplitMix64) {
        guard b.count >= 28, Bool.random(using: &rng) else { return }
        let n = UInt32(b.count)
        b[24] = UInt8(n >> 24); b[25] = UInt8((n >> 16) & 0xFF); b[26] = UInt8((n >> 8) & 0xFF); b[27] = UInt8(n & 0xFF)
    }

    @Test("120,000 mutated messages: refused or parsed, never a crash or another error")
    func mutatedMessages() async throws {
        let seeds = try await Self.seeds()
        var rng = SplitMix64(seed: 0x1CE_2007)
        var parsed = 0, refused = 0
        for i in 0..<120_000 {
            let (seed, isChain) = seeds[i % seeds.count]
            var b = Self.mutate(seed, &rng)
            do {
                if isChain {
                    let first = PayloadType(rawValue: [5, 5, 6, 9, 200].randomElement(using: &rng)!)
                    _ = try ISAKMPMessage.parsePayloads(first: first, b[...], trailingAllowed: 15)
                } else {
                    Self.fixLength(&b, &rng)
                    let (h, body) = try ISAKMPMessage.parseHeader(b)
                    if h.flags.contains(.encryption) {
                        _ = try ISAKMPMessage.parsePayloads(first: h.nextPayload, body, trailingAllowed: 15)
                    } else {
                        _ = try ISAKMPMessage.parse(b)
                    }
                }
                parsed += 1
            } catch is ISAKMPError {
                refused += 1
            } catch {
                Issue.record("message \(i): \(error) is not an ISAKMPError")
            }
        }
        #expect(parsed + refused == 120_000)
        #expect(refused > 10_000 && parsed > 1_000, "parsed \(parsed), refused \(refused)")
    }

    @Test("hostile lengths allocate nothing they do not carry")
    func hostileLengths() {
        // A header claiming a 4 GiB message, and an SA whose attribute claims 65535 bytes.
        var header = [UInt8](repeating: 1, count: 28)
        header[16] = 1; header[17] = 0x10; header[18] = 2; header[19] = 0
        header[24] = 0xFF; header[25] = 0xFF; header[26] = 0xFF; header[27] = 0xFF
        #expect(throws: ISAKMPError.self) { try ISAKMPMessage.parse(header) }
        let attr: [UInt8] = [0, 12, 0xFF, 0xFF]
        let transform: [UInt8] = [0, 0, 0, UInt8(8 + attr.count), 1, 1, 0, 0] + attr
        let proposal: [UInt8] = [0, 0, 0, UInt8(8 + transform.count), 1, 1, 0, 1] + transform
        let sa: [UInt8] = [0, 0, 0, UInt8(12 + proposal.count), 0, 0, 0, 1, 0, 0, 0, 1] + proposal
        #expect(throws: ISAKMPError.self) { try ISAKMPMessage.parsePayloads(first: .securityAssociation, sa[...]) }
        // A proposal declaring 255 transforms.
        var many = proposal
        many[7] = 255
        let sa2: [UInt8] = [0, 0, 0, UInt8(12 + many.count), 0, 0, 0, 1, 0, 0, 0, 1] + many
        #expect(throws: ISAKMPError.self) { try ISAKMPMessage.parsePayloads(first: .securityAssociation, sa2[...]) }
    }

    @Test("a long chain of non-critical unknown payloads stops at the payload bound")
    func payloadCountBound() {
        var chain: [UInt8] = []
        for i in 0..<1000 { chain += [i == 999 ? 0 : 200, 0, 0, 4] }
        #expect(throws: ISAKMPError.self) { try ISAKMPMessage.parsePayloads(first: PayloadType(rawValue: 200), chain[...]) }
    }
}
