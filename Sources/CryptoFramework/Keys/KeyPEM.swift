import SwiftASN1

/// PEM (RFC 7468) as every key codec reads and writes it.
enum KeyPEM {
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
    /// AlgorithmIdentifier SEQUENCE; the algorithm's own labels ("RSA PRIVATE
    /// KEY", "EC PRIVATE KEY") hold its bare form (PKCS#1, SEC 1).
    static func checkLabel(
        _ label: String, der: [UInt8], what: String,
        wrappedLabel: String, wrappedForm: String, wrapperIndex: Int, bareForm: String = "PKCS#1"
    ) throws {
        let root = try KeyDER.parseRoot(der[...], what: what)
        let children = try KeyDER.sequenceChildren(root, what: what)
        let isWrapped = children.count > wrapperIndex && children[wrapperIndex].identifier == .sequence
        guard isWrapped == (label == wrappedLabel) else {
            throw CryptoError(
                .keyInvalid,
                "PEM label \"\(label)\" does not match its contents, which are \(isWrapped ? wrappedForm : bareForm)")
        }
    }

    static func encode(label: String, der: [UInt8]) -> String {
        PEMDocument(type: label, derBytes: der).pemString + "\n"
    }
}
