import CryptoFramework

extension FuzzTarget {
    /// The EC DER key parsers (Sources/CryptoFramework/Keys/ECKeyDER.swift): the
    /// input as a SubjectPublicKeyInfo and as a private key (PKCS#8 or SEC 1),
    /// with every point check behind them. An accepted key must round-trip.
    public static let ecDER = FuzzTarget(name: "ec-der") { input in
        keyVerdict(
            { try ECPublicKey(derRepresentation: input) }, { try ECPublicKey(derRepresentation: $0.derRepresentation) },
            { try ECPrivateKey(derRepresentation: input) }, { try ECPrivateKey(derRepresentation: $0.derRepresentation) },
            same: sameECKey)
    }

    /// The EC PEM key parsers (Sources/CryptoFramework/Keys/ECKeyPEM.swift), the input read as UTF-8.
    public static let ecPEM = FuzzTarget(name: "ec-pem") { input in
        let text = String(decoding: input, as: UTF8.self)
        return keyVerdict(
            { try ECPublicKey(pemRepresentation: text) }, { try ECPublicKey(pemRepresentation: $0.pemRepresentation) },
            { try ECPrivateKey(pemRepresentation: text) }, { try ECPrivateKey(pemRepresentation: $0.pemRepresentation) },
            same: sameECKey)
    }

    /// Curve and secret survive; so does the public key of a prime-curve key
    /// (PKCS#8 of Ed25519 and X25519 is written without it, as openssl does).
    private static func sameECKey(_ a: ECPrivateKey, _ b: ECPrivateKey) -> Bool {
        a.curve == b.curve && a.scalar == b.scalar && (a.curve.family != .weierstrass || a.publicKey == b.publicKey)
    }
}
