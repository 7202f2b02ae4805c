import SwiftASN1

// PEM import and export of RSA keys (RFC 7468 textual encoding). The label
// decides the DER form: "PUBLIC KEY" is a SubjectPublicKeyInfo, "RSA PUBLIC KEY"
// a PKCS#1 RSAPublicKey, "PRIVATE KEY" a PKCS#8 PrivateKeyInfo, "RSA PRIVATE KEY"
// a PKCS#1 RSAPrivateKey.

extension RSAPublicKey {
    /// Imports a public key from PEM labelled "PUBLIC KEY" (SPKI) or "RSA PUBLIC KEY" (PKCS#1).
    public init(pemRepresentation: String) throws {
        let document = try RSAKeyPEM.document(pemRepresentation, what: "RSA public key")
        switch document.discriminator {
        case "PUBLIC KEY", "RSA PUBLIC KEY":
            try RSAKeyPEM.checkLabel(
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
        RSAKeyPEM.encode(label: "PUBLIC KEY", der: derRepresentation)
    }
}

extension RSAPrivateKey {
    /// Imports a private key from PEM labelled "PRIVATE KEY" (PKCS#8) or "RSA PRIVATE KEY"
    /// (PKCS#1). Encrypted keys ("ENCRYPTED PRIVATE KEY", or "Proc-Type: 4,ENCRYPTED"
    /// headers) are refused: decrypt them first.
    public init(pemRepresentation: String) throws {
        if RSAKeyPEM.hasEncryptionHeaders(pemRepresentation) {
            throw CryptoError(
                .keyInvalid,
                "encrypted PEM (Proc-Type: 4,ENCRYPTED) is not supported: encrypted keys are not supported; decrypt it first (openssl pkey -in KEY -out PLAIN)")
        }
        var document = try RSAKeyPEM.document(pemRepresentation, what: "RSA private key")
        defer { RSAKeyDER.wipe(&document.derBytes) }
        switch document.discriminator {
        case "PRIVATE KEY", "RSA PRIVATE KEY":
            try RSAKeyPEM.checkLabel(
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
        defer { RSAKeyDER.wipe(&der) }
        return RSAKeyPEM.encode(label: "PRIVATE KEY", der: der)
    }
}

enum RSAKeyPEM {
    static func document(_ pem: String, what: String) throws -> PEMDocument {
        do {
            return try PEMDocument(pemString: pem)
        } catch let error as ASN1Error {
            throw CryptoError(.keyInvalid, "\(what): not a single well-formed PEM document (\(error.code))")
        }
    }

    /// RFC 1421 encapsulated headers as OpenSSL writes for a "traditional" encrypted key.
    static func hasEncryptionHeaders(_ pem: String) -> Bool {
        pem.contains("Proc-Type:") && pem.contains("ENCRYPTED")
    }

    /// The label must agree with the DER form: "PUBLIC KEY" / "PRIVATE KEY" hold the
    /// wrapped forms (SPKI, PKCS#8), whose element at `wrapperIndex` is an
    /// AlgorithmIdentifier SEQUENCE; the "RSA …" labels hold bare PKCS#1.
    static func checkLabel(
        _ label: String, der: [UInt8], what: String,
        wrappedLabel: String, wrappedForm: String, wrapperIndex: Int
    ) throws {
        let root = try RSAKeyDER.parseRoot(der[...], what: what)
        let children = try RSAKeyDER.sequenceChildren(root, what: what)
        let isWrapped = children.count > wrapperIndex && children[wrapperIndex].identifier == .sequence
        guard isWrapped == (label == wrappedLabel) else {
            throw CryptoError(
                .keyInvalid,
                "PEM label \"\(label)\" does not match its contents, which are \(isWrapped ? wrappedForm : "PKCS#1")")
        }
    }

    static func encode(label: String, der: [UInt8]) -> String {
        PEMDocument(type: label, derBytes: der).pemString + "\n"
    }
}
