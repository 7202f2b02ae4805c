import Foundation

/// The strongswan.conf and swanctl.conf of the two charons: a responder whose
/// private key is on a PKCS#11 token and whose public-key work goes through
/// the pkcs11 plugin, and an ordinary initiator; IKEv1 Main Mode with RSA
/// signatures on 127.0.0.1, no child SA.
public enum CharonConfiguration {
    /// The connection name both sides use.
    public static let connection = "retell"
    /// The initiator's connection to `ikebench serve`.
    public static let serveConnection = "retell-serve"

    /// Plugins in load order: pkcs11 first, so that with use_dh / use_pubkey /
    /// use_rng it is asked before openssl for DH, public keys and random
    /// numbers; pkcs1 before openssl, or openssl parses the peer's key and the
    /// token never sees it (issue 12, "Facts that save time").
    static let responderPlugins = "pkcs11 random nonce pkcs1 pkcs8 pem x509 pubkey openssl revocation constraints hmac sha1 sha2 kernel-netlink socket-default vici"
    static let initiatorPlugins = "random nonce pkcs1 pkcs8 pem x509 pubkey openssl revocation constraints hmac sha1 sha2 kernel-netlink socket-default vici"

    /// A charon's strongswan.conf. `retransmitTimeout`: the initiator waits
    /// that long before its first retransmission (charon's default is 4 s,
    /// shorter than a timed Phase I without ncp/0).
    static func strongswanConf(
        directory: URL, ikePort: Int, plugins: String, retransmitTimeout: Double, retransmitTries: Int, pkcs11Module: String?
    ) -> String {
        let pkcs11 = pkcs11Module.map { path in
            """
                pkcs11 {
                  use_dh = yes
                  use_pubkey = yes
                  use_rng = yes
                  use_ecc = no
                  modules {
                    token {
                      path = \(path)
                    }
                  }
                }

            """
        } ?? ""
        return """
            charon {
              load_modular = no
              load = \(plugins)
              port = \(ikePort)
              port_nat_t = \(ikePort + 1)
              install_routes = no
              install_virtual_ip = no
              retransmit_timeout = \(retransmitTimeout)
              retransmit_tries = \(retransmitTries)
              plugins {
                vici {
                  socket = unix://\(directory.appendingPathComponent("charon.vici").path)
                }
            \(pkcs11)  }
              syslog {
                daemon {
                  default = -1
                }
              }
              filelog {
                retell {
                  path = \(directory.appendingPathComponent("charon.log").path)
                  time_format = %s
                  time_add_ms = yes
                  ike_name = yes
                  default = 1
                  flush_line = yes
                }
              }
            }

            """
    }

    /// One side's swanctl.conf: a connection per (name, remote port), with
    /// `local`/`remote` certificate file names in x509/; `secrets` as given
    /// (the responder's token key).
    static func swanctlConf(localPort: Int, peers: [(name: String, port: Int)], proposal: String,
                            localCert: String, remoteCert: String, secrets: String) -> String {
        let connections = peers.map { peer in
            """
              \(peer.name) {
                version = 1
                aggressive = no
                local_addrs = 127.0.0.1
                remote_addrs = 127.0.0.1
                local_port = \(localPort)
                remote_port = \(peer.port)
                proposals = \(proposal)
                local {
                  auth = pubkey
                  certs = \(localCert)
                }
                remote {
                  auth = pubkey
                  certs = \(remoteCert)
                }
              }

            """
        }.joined()
        return "connections {\n\(connections)}\nsecrets {\n\(secrets)}\n"
    }

    /// swanctl's `secrets` entry for a private key on a token: found by its
    /// CKA_ID (hex) in the module strongswan.conf names `token`, logged in with `pin`.
    static func tokenSecret(keyID: String, pin: String) -> String {
        """
          token-responder {
            handle = \(keyID)
            module = token
            pin = \(pin)
          }

        """
    }
}
