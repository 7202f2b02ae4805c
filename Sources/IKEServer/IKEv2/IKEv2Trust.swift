import CryptoFramework
import IKEProtocol
import X509

/// The same trust decides IKEv2 peers: IDs of the types both versions share
/// (IPv4, FQDN, user FQDN, IPv6, DER DN, key ID) are matched as for IKEv1,
/// certificates are checked against the same anchors. Keys are RSA as the
/// anchors hold them (ECDSA and Ed25519 anchors: docs/ike.md, "What remains").
extension PeerTrust: IKEv2PeerKeyResolver {
    public func ikev2Keys(for id: IKEv2Identification, certificates: [[UInt8]]) throws -> [IKEv2PublicKey] {
        guard let v1 = id.ikev1 else {
            throw IKEv2Error(.authenticationFailed, "ID type \(id.kind) is not matched against certificates or keys")
        }
        do {
            return try keys(for: v1, certificates: certificates).map { .rsa($0) }
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
        let key: IKEv2PrivateKey
        switch v1.signingKey {
        case .rsa(let rsa): key = .rsa(rsa)
        case .ec(let ec): key = .ec(ec)
        }
        self.init(key: key, id: id, certificate: v1.certificate, rsaPSS: rsaPSS)
    }
}
