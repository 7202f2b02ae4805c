import CryptoFramework

extension FuzzTarget {
    /// The DER key parsers (Sources/CryptoFramework/Keys/RSAKeyDER.swift):
    /// the input as a public key (SPKI or PKCS#1) and as a private key (PKCS#8
    /// or PKCS#1). Refusal is a CryptoError; an accepted key must write out as
    /// DER that parses back to the same key.
    public static let rsaDER = FuzzTarget(name: "rsa-der") { input in
        keyVerdict(
            { try RSAPublicKey(derRepresentation: input) }, { try RSAPublicKey(derRepresentation: $0.derRepresentation) },
            { try RSAPrivateKey(derRepresentation: input) }, { try RSAPrivateKey(derRepresentation: $0.derRepresentation) },
            same: sameRSAKey)
    }

    /// The PEM key parsers (Sources/CryptoFramework/Keys/RSAKeyPEM.swift), the input read as UTF-8.
    public static let rsaPEM = FuzzTarget(name: "rsa-pem") { input in
        let text = String(decoding: input, as: UTF8.self)
        return keyVerdict(
            { try RSAPublicKey(pemRepresentation: text) }, { try RSAPublicKey(pemRepresentation: $0.pemRepresentation) },
            { try RSAPrivateKey(pemRepresentation: text) }, { try RSAPrivateKey(pemRepresentation: $0.pemRepresentation) },
            same: sameRSAKey)
    }

    private static func sameRSAKey(_ a: RSAPrivateKey, _ b: RSAPrivateKey) -> Bool {
        a.publicKey == b.publicKey && a.privateExponent == b.privateExponent
    }

    /// The input as a public and as a private key; an accepted key must write
    /// out as something that parses back to the same key (`same` for private keys).
    static func keyVerdict<Public: Equatable, Private>(
        _ parsePublic: () throws -> Public, _ reparsePublic: (Public) throws -> Public,
        _ parsePrivate: () throws -> Private, _ reparsePrivate: (Private) throws -> Private,
        same: (Private, Private) -> Bool
    ) -> FuzzVerdict {
        let publicVerdict = verdict(parsePublic) { key in
            try reparsePublic(key) == key ? nil : "public key round trip changed the key"
        }
        let privateVerdict = verdict(parsePrivate) { key in
            same(try reparsePrivate(key), key) ? nil : "private key round trip changed the key"
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
