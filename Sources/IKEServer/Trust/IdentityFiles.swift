import CryptoFramework
import Foundation
import IKECore
import SwiftASN1
import X509

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
            let cert: Certificate
            do {
                let doc = try PEMDocument(pemString: text)
                cert = try Certificate(derEncoded: doc.derBytes)
                certificateDER = doc.derBytes
            } catch {
                throw LoadError(description: "--cert \(certificatePath): not a PEM X.509 certificate (\(error))")
            }
            guard let certKey = try? RSAPublicKey(derRepresentation: Array(cert.publicKey.subjectPublicKeyInfoBytes)),
                certKey.modulus == key.publicKey.modulus
            else { throw LoadError(description: "--cert \(certificatePath) does not carry the public key of --key \(keyPath)") }
            var s = DER.Serializer()
            try s.serialize(cert.subject)
            subjectID = Identification(kind: .derASN1DN, data: s.serializedBytes)
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
