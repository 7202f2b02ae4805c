import CryptoFramework
import IKEProtocol
import X509

/// The same trust decides IKEv2 peers: IDs of the types both versions share
/// (IPv4, FQDN, user FQDN, IPv6, DER DN, key ID) are matched as for IKEv1,
/// certificates are checked against the same anchors, and every key trusted
/// for the ID comes back: RSA, ECDSA (P-256/384/521) and Ed25519. The AUTH
/// method then picks the keys that can have made the signature.
extension PeerTrust: IKEv2PeerKeyResolver {
    public func ikev2Keys(for id: IKEv2Identification, certificates: [[UInt8]]) throws -> [IKEv2PublicKey] {
        guard let v1 = id.ikev1 else {
            throw IKEv2Error(.authenticationFailed, "ID type \(id.kind) is not matched against certificates or keys")
        }
        do {
            return try publicKeys(for: v1, certificates: certificates)
        } catch let e as ISAKMPError {
            throw IKEv2Error(.authenticationFailed, e.message)
        }
    }

    /// SHA-1 hashes of the trusted CAs' SubjectPublicKeyInfo, for an IKEv2 CERTREQ (RFC 7296 §3.7).
    public func authorityKeyHashes(framework: CryptoFramework) -> [[UInt8]] {
        anchors.compactMap { anchor -> [UInt8]? in
            guard case .authority(let ca) = anchor else { return nil }
            return try? framework.perform(.digest(.sha1, data: Array(ca.publicKey.subjectPublicKeyInfoBytes))).value.bytes
        }
    }
}

extension IKEv2Identity {
    /// Our IKEv1 identity (key, ID, certificate) as an IKEv2 one.
    public init?(_ v1: MainModeIdentity, rsaPSS: Bool = false) {
        guard let id = IKEv2Identification(ikev1: v1.id) else { return nil }
        self.init(key: v1.signingKey, id: id, certificate: v1.certificate, rsaPSS: rsaPSS)
    }
}
