import SwiftASN1

// PEM import and export of EC keys (RFC 7468 textual encoding). The label
// decides the DER form: "PUBLIC KEY" is a SubjectPublicKeyInfo, "PRIVATE KEY"
// a PKCS#8 PrivateKeyInfo, "EC PRIVATE KEY" a SEC 1 ECPrivateKey (RFC 5915).

extension ECPublicKey {
    /// Imports a public key from PEM labelled "PUBLIC KEY" (SubjectPublicKeyInfo).
    public init(pemRepresentation: String) throws {
        let document = try KeyPEM.document(pemRepresentation, what: "EC public key")
        switch document.discriminator {
        case "PUBLIC KEY":
            self = try ECPublicKey(derRepresentation: document.derBytes)
        case "PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
            throw CryptoError(
                .keyInvalid,
                "PEM holds a \"\(document.discriminator)\", not a public key; import it with ECPrivateKey(pemRepresentation:) and use .publicKey")
        default:
            throw CryptoError(.keyInvalid, "PEM label \"\(document.discriminator)\" is not an EC public key; expected \"PUBLIC KEY\"")
        }
    }

    /// The key as a "PUBLIC KEY" PEM (SubjectPublicKeyInfo), 64-column lines, ending in a newline.
    public var pemRepresentation: String {
        KeyPEM.encode(label: "PUBLIC KEY", der: derRepresentation)
    }
}

extension ECPrivateKey {
    /// Imports a private key from PEM labelled "PRIVATE KEY" (PKCS#8) or "EC PRIVATE
    /// KEY" (SEC 1). Encrypted keys are refused: decrypt them first.
    public init(pemRepresentation: String) throws {
        if KeyPEM.hasEncryptionHeaders(pemRepresentation) {
            throw CryptoError(
                .keyInvalid,
                "encrypted PEM (Proc-Type: 4,ENCRYPTED) is not supported; decrypt it first (openssl pkey -in KEY -out PLAIN)")
        }
        var document = try KeyPEM.document(pemRepresentation, what: "EC private key")
        defer { KeyDER.wipe(&document.derBytes) }
        switch document.discriminator {
        case "PRIVATE KEY", "EC PRIVATE KEY":
            try KeyPEM.checkLabel(
                document.discriminator, der: document.derBytes, what: "EC private key",
                wrappedLabel: "PRIVATE KEY", wrappedForm: "PKCS#8 PrivateKeyInfo", wrapperIndex: 1, bareForm: "SEC 1 ECPrivateKey")
            self = try ECPrivateKey(derRepresentation: document.derBytes)
        case "ENCRYPTED PRIVATE KEY":
            throw CryptoError(
                .keyInvalid,
                "PEM holds an \"ENCRYPTED PRIVATE KEY\" (PKCS#8 EncryptedPrivateKeyInfo): encrypted keys are not supported; decrypt it first (openssl pkey -in KEY -out PLAIN)")
        case "PUBLIC KEY":
            throw CryptoError(.keyInvalid, "PEM holds a \"PUBLIC KEY\", not a private key; import it with ECPublicKey(pemRepresentation:)")
        default:
            throw CryptoError(
                .keyInvalid,
                "PEM label \"\(document.discriminator)\" is not an EC private key; expected \"PRIVATE KEY\" or \"EC PRIVATE KEY\"")
        }
    }

    /// The key as a "PRIVATE KEY" PEM (PKCS#8), 64-column lines, ending in a newline.
    ///
    /// - Important: the string contains the private key in the clear.
    public var pemRepresentation: String {
        var der = derRepresentation
        defer { KeyDER.wipe(&der) }
        return KeyPEM.encode(label: "PRIVATE KEY", der: der)
    }

    /// The key as an "EC PRIVATE KEY" PEM (SEC 1), as `openssl ec` writes it; nil
    /// for Ed25519 and X25519.
    ///
    /// - Important: the string contains the private key in the clear.
    public var sec1PEMRepresentation: String? {
        guard var der = sec1DERRepresentation else { return nil }
        defer { KeyDER.wipe(&der) }
        return KeyPEM.encode(label: "EC PRIVATE KEY", der: der)
    }
}
