/// IKE fragmentation (RFC 7383): a message's encoded inner payload chain cut
/// into pieces, each sealed as its own SKF payload with its own IV and ICV.
public enum IKEv2Fragmentation {
    /// The most fragments one message is cut into or reassembled from.
    public static let maxFragments: UInt16 = 32
    /// IPv4 and UDP headers plus the non-ESP marker (port 4500) a datagram may
    /// carry besides the IKE message (RFC 7383 §2.5.1: the size is the IP datagram's).
    public static let datagramOverhead = 20 + 8 + 4

    /// The datagrams of `inner` under `header`: one SK message when it fits in
    /// `datagramSize`, else SKF fragments that each fit.
    public static func seal(_ header: IKEv2Header, inner: [IKEv2Payload], datagramSize: Int, protection: IKEv2Protection,
                            session: IKECryptoSession) async throws -> [[UInt8]] {
        let whole = try await protection.seal(header, inner: inner, session: session)
        guard whole.count + datagramOverhead > datagramSize else { return [whole] }
        let plain = IKEv2PayloadChain.encode(inner)
        let enc = protection.suite.encryption
        let fixed = datagramOverhead + IKEv2Header.size + 8 + enc.ivSize + protection.suite.icvBytes
        // Whole blocks of ciphertext (GCM: blocks of one byte), one byte of which carries the pad length.
        let room = ((datagramSize - fixed) / enc.blockSize) * enc.blockSize - 1
        guard room >= 64 else {
            throw IKEv2Error(.cryptoFailure, "a datagram size of \(datagramSize) leaves \(room) bytes per fragment; RFC 7383 needs more")
        }
        let total = (plain.count + room - 1) / room
        guard total <= Int(maxFragments) else {
            throw IKEv2Error(.cryptoFailure, "\(plain.count) bytes need \(total) fragments of \(room); at most \(maxFragments)")
        }
        var out: [[UInt8]] = []
        for i in 0..<total {
            let piece = Array(plain[(i * room)..<min(plain.count, (i + 1) * room)])
            let first: UInt8 = i == 0 ? (inner.first?.typeValue ?? 0) : 0
            out.append(try await protection.seal(header, plain: piece, firstInner: first,
                                                 fragment: (UInt16(i + 1), UInt16(total)), session: session))
        }
        return out
    }
}
