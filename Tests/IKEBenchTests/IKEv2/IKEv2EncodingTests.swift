import CryptoFramework
@testable import IKEProtocol
import IKETestKit
import TestSupport
import Testing

/// The encoders that write into one buffer (payload bodies, chains, messages,
/// DER signatures) against the concatenations they replaced, written out here
/// from RFC 7296 §3 and X.690 as references; prf+ against its definition.
@Suite("IKEv2 encoding into one buffer")
struct IKEv2EncodingTests {
    /// Every payload kind, with SPIs, attributes and multi-byte lengths. Made
    /// per use, not held by a static: LeakSanitizer took the Notify payloads'
    /// arrays inside the global's packed enum values for leaks (make sanitize-address).
    static var payloads: [IKEv2Payload] { [
        .securityAssociation(IKEv2SA(proposals: [
            IKEv2Suite(encryption: .aesCBC(bits: 128), prf: .sha256, integrity: .sha256_128, group: .ecp(.p256)).proposal(number: 1),
            IKEv2Proposal(number: 2, protocolID: IKEv2Proposal.protocolESP, spi: [1, 2, 3, 4],
                          transforms: [IKEv2Transform(.encryption, 20, keyLength: 256), IKEv2Transform(.extendedSequenceNumbers, 0)]),
        ])),
        .keyExchange(group: 19, data: Array(0..<64)),
        .nonce(Array(repeating: 0xA5, count: 32)),
        .identificationInitiator(.fqdn("initiator.test")),
        .identificationResponder(IKEv2Identification(kind: .ipv4Address, data: [192, 0, 2, 1])),
        .certificate(encoding: 4, data: Array(repeating: 0x30, count: 300)),
        .certificateRequest(encoding: 4, data: Array(repeating: 7, count: 40)),
        .authentication(method: 14, data: Array(0..<80)),
        .notify(IKEv2Notify(type: IKEv2Notify.Status.signatureHashAlgorithms, data: [0, 2, 0, 3])),
        .notify(IKEv2Notify(type: 16393, protocolID: 3, spi: [9, 9, 9, 9], data: [1])),
        .delete(IKEv2Delete(protocolID: IKEv2Proposal.protocolESP, spis: [[1, 2, 3, 4], [5, 6, 7, 8]])),
        .vendorID(Array("vendor".utf8)),
        .trafficSelectorInitiator([.anyIPv4]),
        .trafficSelectorResponder([.anyIPv4, IKEv2TrafficSelector(type: IKEv2TrafficSelector.ipv6Range, ipProtocol: 17, startPort: 500,
                                                                  endPort: 4500, startAddress: Array(repeating: 0, count: 16),
                                                                  endAddress: Array(repeating: 0xFF, count: 16))]),
        .other(type: 47, critical: false, body: [1, 2, 3]),
    ] }

    /// A payload's body as RFC 7296 §3 lays it out, by concatenation.
    static func referenceBody(_ p: IKEv2Payload) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func transform(_ t: IKEv2Transform) -> [UInt8] {
            [t.type, 0] + u16(t.id) + (t.keyLength.map { u16(0x8000 | 14) + u16($0) } ?? [])
        }
        func proposal(_ p: IKEv2Proposal) -> [UInt8] {
            var b = [p.number, p.protocolID, UInt8(p.spi.count), UInt8(p.transforms.count)] + p.spi
            for (i, t) in p.transforms.enumerated() {
                let body = transform(t)
                b += [i + 1 < p.transforms.count ? 3 : 0, 0] + u16(UInt16(4 + body.count)) + body
            }
            return b
        }
        switch p {
        case .securityAssociation(let sa):
            return sa.proposals.enumerated().flatMap { i, p in
                let body = proposal(p)
                return [i + 1 < sa.proposals.count ? 2 : 0, 0] + u16(UInt16(4 + body.count)) + body
            }
        case .keyExchange(let g, let d): return u16(g) + [0, 0] + d
        case .nonce(let n): return n
        case .identificationInitiator(let id), .identificationResponder(let id): return [id.kind, 0, 0, 0] + id.data
        case .certificate(let e, let d), .certificateRequest(let e, let d): return [e] + d
        case .authentication(let m, let d): return [m, 0, 0, 0] + d
        case .notify(let n): return [n.protocolID, UInt8(n.spi.count)] + u16(n.type) + n.spi + n.data
        case .delete(let d): return [d.protocolID, UInt8(d.spis.first?.count ?? 0)] + u16(UInt16(d.spis.count)) + d.spis.flatMap { $0 }
        case .vendorID(let v): return v
        case .trafficSelectorInitiator(let ts), .trafficSelectorResponder(let ts):
            var out: [UInt8] = [UInt8(ts.count), 0, 0, 0]
            for t in ts {
                let length = UInt16(8 + t.startAddress.count + t.endAddress.count)
                let fields: [UInt8] = [t.type, t.ipProtocol] + u16(length)
                let ports: [UInt8] = u16(t.startPort) + u16(t.endPort)
                out += fields + ports + t.startAddress + t.endAddress
            }
            return out
        case .encrypted(_, let b): return b
        case .fragment(let n, let t, _, let b): return u16(n) + u16(t) + b
        case .other(_, _, let b): return b
        }
    }

    @Test("each payload's body, and its computed length, is the concatenation of its fields")
    func bodies() {
        for p in Self.payloads {
            #expect(p.body == Self.referenceBody(p), "\(p.type)")
            #expect(p.bodyCount == p.body.count, "\(p.type)")
        }
    }

    @Test("a message is its header and its chain, byte for byte, and parses back to itself")
    func message() throws {
        let header = IKEv2Header(initiatorSPI: Array(1...8), responderSPI: Array(11...18), exchange: .ikeSAInit, flags: .response,
                                 messageID: 0x01020304)
        let m = IKEv2Message(header: header, payloads: Self.payloads)
        let bytes = m.encoded()
        var chain: [UInt8] = []
        for (i, p) in Self.payloads.enumerated() {
            let body = Self.referenceBody(p)
            let next = i + 1 < Self.payloads.count ? Self.payloads[i + 1].typeValue : 0
            chain += [next, 0, UInt8((4 + body.count) >> 8), UInt8((4 + body.count) & 0xFF)] + body
        }
        #expect(IKEv2PayloadChain.encode(Self.payloads) == chain)
        let length = IKEv2Header.size + chain.count
        let expectedHeader = Array(1...8) + Array(11...18) + [Self.payloads[0].typeValue, 0x20, 34, 0x20, 1, 2, 3, 4]
            + [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        #expect(bytes == expectedHeader + chain)
        let parsed = try IKEv2Message.parse(bytes)
        #expect(parsed.payloads == Self.payloads)
        #expect(try IKEv2Message.parse(bytes, header: IKEv2Header.parse(bytes[...])) == parsed)
    }

    @Test("SK payloads sealed into one buffer open to the same payloads, CBC and GCM, whole and as fragments")
    func sealOpen() async throws {
        let session = IKECryptoSession(framework: IKETestSupport.host)
        for suite in [IKEv2Suite(encryption: .aesCBC(bits: 128), prf: .sha256, integrity: .sha256_128, group: .ecp(.p256)),
                      IKEv2Suite(encryption: .aesGCM16(bits: 256), prf: .sha384, integrity: nil, group: .ecp(.p384))] {
            let keys = try await IKEv2KeyDerivation.derive(suite, sharedSecret: SecureBytes(Array(repeating: 3, count: 32)),
                                                           initiatorNonce: Array(repeating: 1, count: 32),
                                                           responderNonce: Array(repeating: 2, count: 32),
                                                           initiatorSPI: Array(1...8), responderSPI: Array(11...18), session: session)
            let sealer = IKEv2Protection(suite: suite, keys: keys, isInitiator: false)
            let opener = IKEv2Protection(suite: suite, keys: keys, isInitiator: true)
            let header = IKEv2Header(initiatorSPI: Array(1...8), responderSPI: Array(11...18), exchange: .ikeAuth, flags: .response,
                                     messageID: 1)
            for inner in [Array(Self.payloads.dropFirst(3).prefix(2)), Self.payloads, []] {
                let sealed = try await sealer.seal(header, inner: inner, session: session)
                let m = try IKEv2Message.parse(sealed)
                #expect(Int(m.header.length) == sealed.count)
                #expect(try await opener.open(sealed, parsed: m, session: session) == inner, "\(suite.proposalName)")
                var bad = sealed
                bad[bad.count - 1] ^= 1
                await #expect(throws: IKEv2Error.self) { _ = try await opener.open(bad, parsed: try IKEv2Message.parse(bad), session: session) }
            }
            let fragments = try await IKEv2Fragmentation.seal(header, inner: Self.payloads, datagramSize: 576, protection: sealer,
                                                              session: session)
            #expect(fragments.count > 1)
            var plain: [UInt8] = []
            for f in fragments {
                let m = try IKEv2Message.parse(f)
                guard case .fragment(_, _, _, let body)? = m.payloads.last else { Issue.record("not SKF"); return }
                plain += try await opener.openPlain(f, skBody: body, session: session)
            }
            #expect(plain == IKEv2PayloadChain.encode(Self.payloads))
        }
    }

    @Test("prf+ is T1 | T2 | T3 … with Tn = prf(K, Tn-1 | S | n), cut to length, at every length up to four blocks")
    func prfPlus() async throws {
        let session = IKECryptoSession(framework: IKETestSupport.host)
        let key = SecureBytes(Array(repeating: 0x0b, count: 20))
        let seed: [UInt8] = Array("seed for prf+".utf8)
        var t: [UInt8] = []
        var stream: [UInt8] = []
        for n in 1...4 {
            t = try await session.prf(.sha256, key: key, SecureBytes(t + seed + [UInt8(n)])).bytes
            stream += t
        }
        for length in [0, 1, 31, 32, 33, 64, 100, 128] {
            let out = try await IKEv2KeyDerivation.prfPlus(.sha256, key: key, seed: SecureBytes(seed), length: length, session: session)
            #expect(out.bytes == Array(stream.prefix(length)), "length \(length)")
        }
    }

    /// X.690's minimal INTEGER and SEQUENCE, by concatenation.
    static func referenceECDSA(_ raw: [UInt8]) -> [UInt8] {
        func tlv(_ tag: UInt8, _ c: [UInt8]) -> [UInt8] {
            [tag] + (c.count < 0x80 ? [UInt8(c.count)] : c.count < 0x100 ? [0x81, UInt8(c.count)] : [0x82, UInt8(c.count >> 8), UInt8(c.count & 0xFF)]) + c
        }
        func integer(_ v: ArraySlice<UInt8>) -> [UInt8] {
            var b = Array(v.drop { $0 == 0 })
            if b.isEmpty { b = [0] }
            if b[0] & 0x80 != 0 { b.insert(0, at: 0) }
            return tlv(0x02, b)
        }
        let half = raw.count / 2
        return tlv(0x30, integer(raw[..<half]) + integer(raw[half...]))
    }

    @Test("ECDSA r ‖ s to DER and back: minimal INTEGERs, leading zeros, high bits, long forms")
    func ecdsaDER() {
        var generator = SystemRandomNumberGenerator()
        var cases: [[UInt8]] = [Array(repeating: 0, count: 64), Array(repeating: 0xFF, count: 64), [0, 0, 0x80] + Array(repeating: 1, count: 61),
                                Array(repeating: 0, count: 32) + Array(repeating: 0x7F, count: 32), Array(repeating: 0x80, count: 132)]
        for size in [64, 96, 132] {
            for _ in 0..<40 {
                var raw = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
                raw[0] = [0, 0x01, 0x7F, 0x80, 0xFF].randomElement(using: &generator)!
                raw[size / 2] = [0, 0x01, 0x7F, 0x80, 0xFF].randomElement(using: &generator)!
                cases.append(raw)
            }
        }
        for raw in cases {
            let der = DER.ecdsaSignature(raw: raw)
            #expect(der == Self.referenceECDSA(raw))
            #expect(DER.ecdsaSignature(der: der, fieldBytes: raw.count / 2) == raw)
        }
        // Refused: a negative INTEGER, one longer than the field, an empty one, trailing bytes.
        #expect(DER.ecdsaSignature(der: [0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01], fieldBytes: 32) == nil)
        #expect(DER.ecdsaSignature(der: Self.referenceECDSA(Array(repeating: 1, count: 66)), fieldBytes: 32) == nil)
        #expect(DER.ecdsaSignature(der: [0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x01], fieldBytes: 32) == nil)
        #expect(DER.ecdsaSignature(der: Self.referenceECDSA([1, 1]) + [0], fieldBytes: 32) == nil)
        // Leading zeros beyond the minimum are still read (as before).
        #expect(DER.ecdsaSignature(der: [0x30, 0x07, 0x02, 0x02, 0x00, 0x05, 0x02, 0x01, 0x06], fieldBytes: 2) == [0, 5, 0, 6])
    }

    @Test("DER lengths: short form, then as many length bytes as the content needs (X.690 §8.1.3), never a trap")
    func derLengthForms() {
        let cases: [(Int, [UInt8])] = [
            (0, [0x00]), (0x7F, [0x7F]), (0x80, [0x81, 0x80]), (0xFF, [0x81, 0xFF]), (0x100, [0x82, 0x01, 0x00]),
            (0xFFFF, [0x82, 0xFF, 0xFF]), (0x10000, [0x83, 0x01, 0x00, 0x00]), (0x12_3456, [0x83, 0x12, 0x34, 0x56]),
        ]
        for (n, length) in cases {
            let content = [UInt8](repeating: 0xA5, count: n)
            #expect(DER.tlv(0x04, content) == [0x04] + length + content, "content of \(n) bytes")
        }
        // zeroFirst counts its zero byte in the length.
        #expect(DER.tlv(0x02, [0x80][...], zeroFirst: true) == [0x02, 0x02, 0x00, 0x80])
        #expect(Array(DER.tlv(0x02, [UInt8](repeating: 1, count: 0xFFFF)[...], zeroFirst: true).prefix(5)) == [0x02, 0x83, 0x01, 0x00, 0x00])
    }

    @Test("AlgorithmIdentifiers: the cached encodings are RFC 7427's, and matching bytes names the scheme parsing names")
    func algorithmIdentifiers() {
        // RFC 7427 Appendix A.4.1: ecdsa-with-sha256.
        #expect(IKEv2SignatureScheme.ecdsa(.sha256).algorithmIdentifier == [0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02])
        for (scheme, der) in IKEv2SignatureScheme.identifiers {
            #expect(scheme.algorithmIdentifier == scheme.encodedAlgorithmIdentifier)
            #expect(IKEv2SignatureScheme(algorithmIdentifier: der) == IKEv2SignatureScheme(parsing: der[...]), "\(scheme)")
        }
        let verified = IKEv2SignatureScheme.verifiedIdentifiers.map(\.scheme)
        for scheme in [IKEv2SignatureScheme.ecdsa(.sha256), .ecdsa(.sha384), .rsaPKCS1(.sha256), .rsaPSS(.sha256), .ed25519] {
            #expect(verified.contains(scheme), "\(scheme)")
        }
        #expect(!verified.contains(.rsaPKCS1(.sha1)))
        // Not canonical, still parsed: ecdsa-with-sha256 with NULL parameters.
        #expect(IKEv2SignatureScheme(algorithmIdentifier: [0x30, 0x0C, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02, 0x05, 0x00])
            == .ecdsa(.sha256))
        #expect(IKEv2SignatureScheme(algorithmIdentifier: IKEv2SignatureScheme.rsaPKCS1(.sha1).algorithmIdentifier) == nil)
    }
}
