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
    ///
    /// An Ed25519 PKCS#8 key holds only its seed (RFC 8410 §7): its public key is
    /// taken from `--cert`, after `framework` (when given) checks that the key
    /// signs what that public key verifies.
    public static func load(keyPath: String, certificatePath: String?, id: String?,
                            framework: CryptoFramework? = nil) throws -> MainModeIdentity {
        guard let keyText = try? String(contentsOfFile: keyPath, encoding: .utf8) else {
            throw LoadError(description: "--key \(keyPath): cannot read the file")
        }
        // RSA, EC on a prime curve (ECDSA authentication, RFC 4754), or Ed25519 (IKEv2).
        var key: IKESigningKey
        do {
            key = .rsa(try RSAPrivateKey(pemRepresentation: keyText))
        } catch let rsaError {
            let ec: ECPrivateKey
            do { ec = try ECPrivateKey(pemRepresentation: keyText) } catch let ecError {
                throw LoadError(description: "--key \(keyPath): neither an RSA private key (\(rsaError)) nor an EC one (\(ecError))")
            }
            // Ed25519 signs in IKEv2 only (RFC 8420); IKEv1 has no method for it,
            // so serve with such a key answers IKEv2 alone.
            guard ec.curve.family == .weierstrass || ec.curve == .ed25519 else {
                throw LoadError(description: "--key \(keyPath): an \(ec.curve) key; IKE signs with RSA, ECDSA on P-256, P-384 or P-521 (RFC 4754) or Ed25519 (IKEv2, RFC 8420)")
            }
            key = .ec(ec)
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
            let matches: Bool
            switch key {
            case .rsa(let rsa):
                let certKey: RSAPublicKey
                do { certKey = try RSAPublicKey(derRepresentation: fields.subjectPublicKeyInfo) } catch {
                    throw LoadError(description: "--cert \(certificatePath): its public key is not a usable RSA key (\(error))")
                }
                matches = certKey.modulus == rsa.publicKey.modulus
            case .ec(let ec):
                let certKey: ECPublicKey
                do { certKey = try ECPublicKey(derRepresentation: fields.subjectPublicKeyInfo) } catch {
                    throw LoadError(description: "--cert \(certificatePath): its public key is not a usable EC key (\(error))")
                }
                if let own = ec.publicKey {
                    matches = certKey == own
                } else if ec.curve == .ed25519, certKey.curve == .ed25519 {
                    // The seed alone: the key must sign what the certificate's key verifies.
                    if let framework {
                        let probe = Array("ikebench: does --key match --cert?".utf8)
                        let signature = try framework.perform(.signEC(.eddsa, key: ec, data: probe)).value.bytes
                        matches = try framework.perform(.verifyEC(.eddsa, key: certKey, data: probe, signature: signature)).value.verified
                    } else {
                        matches = true
                    }
                    if matches { key = .ec(try ECPrivateKey(curve: .ed25519, scalar: ec.scalar, publicKey: certKey)) }
                } else {
                    throw LoadError(description: "--key \(keyPath): the EC key carries no public key to match --cert against (write it with `openssl pkey`, which includes it)")
                }
            }
            guard matches else {
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
        return MainModeIdentity(signingKey: key, id: chosen, certificate: certificateDER)
    }
}
