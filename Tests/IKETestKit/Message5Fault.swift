import IKEProtocol

/// Deliberate mistakes in an initiator's message 5, built from the
/// initiator's public steps, so the tests can check the responder's refusals.
package enum Message5Fault: Sendable, Equatable {
    case none
    /// SIG_I over a HASH_I computed with a different IDii than the one sent.
    case signWrongHash
    /// SIG_I of the right length but random bytes.
    case garbageSignature
    /// SIG_I one byte short.
    case shortSignature
    /// An extra payload of an unknown type with the critical bit in message 5.
    case criticalUnknownPayload
    /// A CERT payload before SIG (optional in RFC 2409 §5.1; the responder accepts it).
    case includeCertificate
}

extension MainModeInitiator {
    /// Message 5 with `fault` in it (``message5(after:)`` when `.none`).
    package func message5(after reply: [UInt8], fault: Message5Fault) async throws -> [UInt8] {
        guard fault != .none else { return try await message5(after: reply) }
        try await acceptMessage4(reply)
        let signedID = fault == .signWrongHash ? Identification.fqdn("someone-else.example") : id
        var signature = try await sign(try await hashI(over: signedID))
        switch fault {
        case .garbageSignature: signature = [0] + IKERandom.bytes(signature.count - 1)  // below the modulus: a well-formed wrong signature
        case .shortSignature: signature.removeLast()
        default: break
        }
        var chain = message5Payloads(signature: signature)
        if fault == .includeCertificate, let sig = chain.firstIndex(where: { $0.type == .signature }) {
            // Not a certificate's DER, as the responder with a fixed peer key never reads it.
            chain.insert(.certificate(encoding: 4, data: Array(repeating: 0xA5, count: 128)), at: sig)
        }
        var plain = ISAKMPMessage.encodePayloads(chain)
        if fault == .criticalUnknownPayload { plain = Self.appendCriticalUnknown(to: plain) }
        return try await sealMessage5(plain)
    }

    /// Rewrites the last payload's next-payload field to point at a new
    /// payload of type 200 marked critical.
    static func appendCriticalUnknown(to chain: [UInt8]) -> [UInt8] {
        var out = chain
        // Walk to the last payload header.
        var offset = 0
        while offset + 4 <= out.count {
            let length = Int(out[offset + 2]) << 8 | Int(out[offset + 3])
            if out[offset] == 0 { out[offset] = 200; break }
            offset += length
        }
        out += [0, 0x80 /* the critical bit, RFC 2408 §3.2 */, 0, 8, 1, 2, 3, 4]
        return out
    }

}
