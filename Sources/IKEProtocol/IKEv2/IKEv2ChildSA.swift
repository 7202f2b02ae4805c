import CryptoFramework

/// The child SA an IKE_AUTH creates (RFC 7296 §1.2, §2.17). The responder
/// negotiates it in full — chooses the transforms, draws its SPI, derives
/// KEYMAT = prf+(SK_d, Ni | Nr) — and installs nothing: no kernel is touched
/// (docs/ike.md, "The child SA in IKE_AUTH").
public struct IKEv2ChildSA: Sendable, Equatable {
    public let protocolID: UInt8
    public let initiatorSPI: [UInt8]
    public let responderSPI: [UInt8]
    public let transforms: [IKEv2Transform]
    public let initiatorTS: [IKEv2TrafficSelector]
    public let responderTS: [IKEv2TrafficSelector]
    public let transportMode: Bool
    /// Bytes of KEYMAT derived (both directions' encryption and integrity keys).
    public let keyMaterialBytes: Int
}

enum ChildSAChoice {
    /// ENCR IDs we would accept for ESP with their key bytes (+ salt for AEADs):
    /// AES-CBC (12), AES-CTR (13, +4), AES-GCM-8/12/16 (18/19/20, +4), ChaCha20-Poly1305 (28, 32+4).
    static func encryptionKeyBytes(_ t: IKEv2Transform) -> (bytes: Int, aead: Bool)? {
        let bits = Int(t.keyLength ?? 0)
        switch t.id {
        case 12 where [128, 192, 256].contains(bits): return (bits / 8, false)
        case 13 where [128, 192, 256].contains(bits): return (bits / 8 + 4, false)
        case 18, 19, 20: return [128, 192, 256].contains(bits) ? (bits / 8 + 4, true) : nil
        case 28 where t.keyLength == nil: return (36, true)
        default: return nil
        }
    }

    /// AUTH_HMAC_SHA1_96 (2), HMAC-SHA2-256-128/384-192/512-256 (12/13/14): key bytes.
    static func integrityKeyBytes(_ t: IKEv2Transform) -> Int? {
        switch t.id {
        case 2: 20
        case 12: 32
        case 13: 48
        case 14: 64
        default: nil
        }
    }

    /// The first ESP proposal we can take, each of its types at the first
    /// transform we know, and the KEYMAT length it needs; nil: NO_PROPOSAL_CHOSEN.
    static func choose(_ sa: IKEv2SA) -> (IKEv2Proposal, [IKEv2Transform], Int)? {
        for p in sa.proposals where p.protocolID == IKEv2Proposal.protocolESP && p.spi.count == 4 {
            // The first usable transform of one type (in the peer's order) that `match` accepts:
            // searched in place, with no filtered copy.
            func first(_ type: IKEv2TransformType, where match: (IKEv2Transform) -> Bool = { _ in true }) -> IKEv2Transform? {
                p.transforms.first { !$0.hasUnknownAttributes && $0.type == type.rawValue && match($0) }
            }
            guard let enc = first(.encryption, where: { encryptionKeyBytes($0) != nil }),
                  let (encBytes, aead) = encryptionKeyBytes(enc) else { continue }
            var chosen: [IKEv2Transform] = []
            chosen.reserveCapacity(4)  // ENCR, INTEG, D-H, ESN at most
            chosen.append(enc)
            var integBytes = 0
            if !aead {
                guard let integ = first(.integrity, where: { integrityKeyBytes($0) != nil }) else { continue }
                chosen.append(integ)
                integBytes = integrityKeyBytes(integ)!
            } else if first(.integrity) != nil, first(.integrity, where: { $0.id == 0 }) == nil {
                continue
            }
            // A DH group in the child proposal (PFS) has no KE in IKE_AUTH: only "none" (0) is taken.
            if first(.keyExchange) != nil {
                guard let none = first(.keyExchange, where: { $0.id == 0 }) else { continue }
                chosen.append(none)
            }
            if let esn = first(.extendedSequenceNumbers, where: { $0.id == 0 }) ?? first(.extendedSequenceNumbers) { chosen.append(esn) }
            return (p, chosen, 2 * (encBytes + integBytes))
        }
        return nil
    }
}
