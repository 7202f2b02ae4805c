import SwiftASN1

// PEM import and export of RSA keys (RFC 7468 textual encoding). The label
// decides the DER form: "PUBLIC KEY" is a SubjectPublicKeyInfo, "RSA PUBLIC KEY"
// a PKCS#1 RSAPublicKey, "PRIVATE KEY" a PKCS#8 PrivateKeyInfo, "RSA PRIVATE KEY"
// a PKCS#1 RSAPrivateKey.

extension RSAPublicKey {
    /// Imports a public key from PEM labelled "PUBLIC KEY" (SPKI) or "RSA PUBLIC KEY" (PKCS#1).
    public init(pemRepresentation: String) throws {
        let document = try KeyPEM.document(pemRepresentation, what: "RSA public key")
        switch document.discriminator {
        case "PUBLIC KEY", "RSA PUBLIC KEY":
            try KeyPEM.checkLabel(
                document.discriminator, der: document.derBytes, what: "RSA public key",
                wrappedLabel: "PUBLIC KEY", wrappedForm: "SubjectPublicKeyInfo", wrapperIndex: 0)
            self = try RSAPublicKey(derRepresentation: document.derBytes)
        case "PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
            throw CryptoError(
                .keyInvalid,
                "PEM holds a \"\(document.discriminator)\", not a public key; import it with RSAPrivateKey(pemRepresentation:) and use .publicKey")
        default:
            throw CryptoError(
                .keyInvalid,
                "PEM label \"\(document.discriminator)\" is not an RSA public key; expected \"PUBLIC KEY\" or \"RSA PUBLIC KEY\"")
        }
    }

    /// The key as a "PUBLIC KEY" PEM (SubjectPublicKeyInfo), 64-column lines, ending in a newline.
    public var pemRepresentation: String {
        KeyPEM.encode(label: "PUBLIC KEY", der: derRepresentation)
    }
}

extension RSAPrivateKey {
    /// Imports a private key from PEM labelled "PRIVATE KEY" (PKCS#8) or "RSA PRIVATE KEY"
    /// (PKCS#1). Encrypted keys ("ENCRYPTED PRIVATE KEY", or "Proc-Type: 4,ENCRYPTED"
    /// headers) are refused: decrypt them first.
    public init(pemRepresentation: String) throws {
        if KeyPEM.hasEncryptionHeaders(pemRepresentation) {
            throw CryptoError(
                .keyInvalid,
                "encrypted PEM (Proc-Type: 4,ENCRYPTED) is not supported: encrypted keys are not supported; decrypt it first (openssl pkey -in KEY -out PLAIN)")
        }
        var document = try KeyPEM.document(pemRepresentation, what: "RSA private key")
        defer { KeyDER.wipe(&document.derBytes) }
        switch document.discriminator {
        case "PRIVATE KEY", "RSA PRIVATE KEY":
            try KeyPEM.checkLabel(
                document.discriminator, der: document.derBytes, what: "RSA private key",
                wrappedLabel: "PRIVATE KEY", wrappedForm: "PKCS#8 PrivateKeyInfo", wrapperIndex: 1)
            self = try RSAPrivateKey(derRepresentation: document.derBytes)
        case "ENCRYPTED PRIVATE KEY":
            throw CryptoError(
                .keyInvalid,
                "PEM holds an \"ENCRYPTED PRIVATE KEY\" (PKCS#8 EncryptedPrivateKeyInfo): encrypted keys are not supported; decrypt it first (openssl pkey -in KEY -out PLAIN)")
        case "PUBLIC KEY", "RSA PUBLIC KEY":
            throw CryptoError(
                .keyInvalid,
                "PEM holds a \"\(document.discriminator)\", not a private key; import it with RSAPublicKey(pemRepresentation:)")
        default:
            throw CryptoError(
                .keyInvalid,
                "PEM label \"\(document.discriminator)\" is not an RSA private key; expected \"PRIVATE KEY\" or \"RSA PRIVATE KEY\"")
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
}
