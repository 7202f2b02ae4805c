import CryptoFramework

extension FuzzTarget {
    /// The DER key parsers (Sources/CryptoFramework/Keys/RSAKeyDER.swift):
    /// the input as a public key (SPKI or PKCS#1) and as a private key (PKCS#8
    /// or PKCS#1). Refusal is a CryptoError; an accepted key must write out as
    /// DER that parses back to the same key.
    public static let rsaDER = FuzzTarget(name: "rsa-der") { input in
        keyVerdict(
            { try RSAPublicKey(derRepresentation: input) }, { try RSAPublicKey(derRepresentation: $0.derRepresentation) },
            { try RSAPrivateKey(derRepresentation: input) }, { try RSAPrivateKey(derRepresentation: $0.derRepresentation) })
    }

    /// The PEM key parsers (Sources/CryptoFramework/Keys/RSAKeyPEM.swift), the input read as UTF-8.
    public static let rsaPEM = FuzzTarget(name: "rsa-pem") { input in
        let text = String(decoding: input, as: UTF8.self)
        return keyVerdict(
            { try RSAPublicKey(pemRepresentation: text) }, { try RSAPublicKey(pemRepresentation: $0.pemRepresentation) },
            { try RSAPrivateKey(pemRepresentation: text) }, { try RSAPrivateKey(pemRepresentation: $0.pemRepresentation) })
    }

    private static func keyVerdict(
        _ parsePublic: () throws -> RSAPublicKey, _ reparsePublic: (RSAPublicKey) throws -> RSAPublicKey,
        _ parsePrivate: () throws -> RSAPrivateKey, _ reparsePrivate: (RSAPrivateKey) throws -> RSAPrivateKey
    ) -> FuzzVerdict {
        let publicVerdict = verdict(parsePublic) { key in
            try reparsePublic(key) == key ? nil : "public key round trip changed the key"
        }
        let privateVerdict = verdict(parsePrivate) { key in
            let again = try reparsePrivate(key)
            return again.publicKey == key.publicKey && again.privateExponent == key.privateExponent
                ? nil : "private key round trip changed the key"
        }
        for v in [publicVerdict, privateVerdict] { if case .unexpected = v { return v } }
        return publicVerdict == .accepted || privateVerdict == .accepted ? .accepted : .refused
    }

    /// Parse; a CryptoError is a refusal. Then the round trip, where any error is unexpected.
    private static func verdict<Key>(_ parse: () throws -> Key, roundTrip: (Key) throws -> String?) -> FuzzVerdict {
        let key: Key
        do {
            key = try parse()
        } catch is CryptoError {
            return .refused
        } catch {
            return .unexpected("key parser threw \(error), not a CryptoError")
        }
        do {
            if let problem = try roundTrip(key) { return .unexpected(problem) }
            return .accepted
        } catch {
            return .unexpected("a parsed key wrote out as something that does not parse: \(error)")
        }
    }
}
