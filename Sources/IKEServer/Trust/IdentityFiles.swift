import CryptoFramework
import Foundation
import IKEProtocol
import SwiftASN1

/// Our side's identity from files: `--key PEM`, `--cert PEM`, `--id`.
public enum IdentityFiles {
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The key, the certificate (its DER, sent in CERT when asked) and the ID:
    /// `id` when given, else the certificate's subject as ID_DER_ASN1_DN.
    public static func load(keyPath: String, certificatePath: String?, id: String?) throws -> MainModeIdentity {
        guard let keyText = try? String(contentsOfFile: keyPath, encoding: .utf8) else {
            throw LoadError(description: "--key \(keyPath): cannot read the file")
        }
        let key: RSAPrivateKey
        do { key = try RSAPrivateKey(pemRepresentation: keyText) } catch {
            throw LoadError(description: "--key \(keyPath): \(error)")
        }
        var certificateDER: [UInt8]?
        var subjectID: Identification?
        if let certificatePath {
            guard let text = try? String(contentsOfFile: certificatePath, encoding: .utf8) else {
                throw LoadError(description: "--cert \(certificatePath): cannot read the file")
            }
            // Our own certificate is sent as it is; only its subject and key are
            // read (CertificateFields, so an RSA-1024 one as in 2007 is accepted).
            let fields: CertificateFields
            do {
                let doc = try PEMDocument(pemString: text)
                guard doc.discriminator == "CERTIFICATE" else {
                    throw CertificateFields.Malformed(description: "a \(doc.discriminator) block, not a CERTIFICATE")
                }
                fields = try CertificateFields(derEncoded: doc.derBytes)
                certificateDER = doc.derBytes
            } catch {
                throw LoadError(description: "--cert \(certificatePath): not a PEM X.509 certificate (\(error))")
            }
            let certKey: RSAPublicKey
            do { certKey = try RSAPublicKey(derRepresentation: fields.subjectPublicKeyInfo) } catch {
                throw LoadError(description: "--cert \(certificatePath): its public key is not a usable RSA key (\(error))")
            }
            guard certKey.modulus == key.publicKey.modulus else {
                throw LoadError(description: "--cert \(certificatePath) does not carry the public key of --key \(keyPath)")
            }
            subjectID = Identification(kind: .derASN1DN, data: fields.subject)
        }
        let chosen: Identification
        if let id {
            do { chosen = try IdentitySpec.parse(id) } catch { throw LoadError(description: "--id: \(error)") }
        } else if let subjectID {
            chosen = subjectID
        } else {
            throw LoadError(description: "--id is needed when no --cert gives a subject to use")
        }
        return MainModeIdentity(key: key, id: chosen, certificate: certificateDER)
    }
}
