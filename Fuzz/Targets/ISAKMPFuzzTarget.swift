import IKEProtocol

extension FuzzTarget {
    /// The ISAKMP parser (Sources/IKEProtocol/ISAKMP). The first byte picks what
    /// the rest is: even, a whole message (header, then the payload chain
    /// unless the encryption flag says the body is ciphertext); odd, a
    /// decrypted payload chain as in messages 5 and 6, whose first payload
    /// type is the second byte.
    public static let isakmp = FuzzTarget(name: "isakmp") { input in
        guard let mode = input.first else { return .refused }
        do {
            if mode & 1 == 0 {
                let message = Array(input.dropFirst())
                let (header, body) = try ISAKMPMessage.parseHeader(message)
                if header.flags.contains(.encryption) {
                    _ = try ISAKMPMessage.parsePayloads(first: header.nextPayload, body, trailingAllowed: 15)
                } else {
                    _ = try ISAKMPMessage.parse(message)
                }
            } else {
                guard input.count >= 2 else { return .refused }
                _ = try ISAKMPMessage.parsePayloads(first: PayloadType(rawValue: input[1]), input[2...], trailingAllowed: 15)
            }
            return .accepted
        } catch is ISAKMPError {
            return .refused
        } catch {
            return .unexpected("ISAKMP parser threw \(error), not an ISAKMPError")
        }
    }
}
