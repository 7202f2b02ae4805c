/// A charon's strongswan.conf: the plugins it loads, its IKE ports, its
/// retransmissions, an optional PKCS#11 module, its vici socket and a file log
/// (`time_format = %s`, `time_add_ms`, `ike_name`: the lines ``ResponderLog``-style
/// readers parse). No routes or virtual IPs are installed; syslog is off.
public struct CharonSettings: Sendable {
    /// IKE port; NAT-T is the next one. When neither is 500, charon adds the
    /// non-ESP marker to every message (../shared/FACTS.md).
    public var ikePort: Int
    /// Plugins in load order (`load_modular = no`): order matters, e.g. pkcs11
    /// before openssl so that it is asked first, pkcs1 before openssl so that
    /// openssl does not parse the peer's key.
    public var plugins: [String]
    /// Seconds before the first retransmission (charon's default: 4).
    public var retransmitTimeout = 4.0
    /// Retransmissions before giving up (charon's default: 5).
    public var retransmitTries = 5
    /// A PKCS#11 module for the pkcs11 plugin, named ``pkcs11ModuleName``, asked
    /// for public keys and random numbers (use_pubkey, use_rng), and for DH
    /// when ``pkcs11UseDH``.
    public var pkcs11Module: String?
    /// Ask the module for MODP Diffie-Hellman (the pkcs11 plugin's use_dh), and
    /// with ``pkcs11UseECC`` for ECDH on the ECP groups too.
    public var pkcs11UseDH = true
    /// The pkcs11 plugin's use_ecc: ECDSA public keys on the module (verification
    /// with CKM_ECDSA) and, with ``pkcs11UseDH``, ECDH (CKM_EC_KEY_PAIR_GEN and
    /// CKM_ECDH1_DERIVE for the ECP groups). strongSwan 5.9.8's ECDH on a token
    /// cannot work (its C_DeriveKey points at freed stack: docs/ike.md).
    public var pkcs11UseECC = false
    /// File log levels by subsystem ("default", "ike", "net" …).
    public var logLevels: [String: Int] = ["default": 1]

    /// The name swanctl's `secrets` use for ``pkcs11Module``.
    public static let pkcs11ModuleName = "token"

    public init(ikePort: Int, plugins: [String]) {
        self.ikePort = ikePort
        self.plugins = plugins
    }

    /// strongswan.conf with the vici socket and log file at these paths.
    func text(viciSocket: String, logPath: String) -> String {
        let pkcs11 = pkcs11Module.map { path in
            """
                pkcs11 {
                  use_dh = \(pkcs11UseDH ? "yes" : "no")
                  use_pubkey = yes
                  use_rng = yes
                  use_ecc = \(pkcs11UseECC ? "yes" : "no")
                  modules {
                    \(Self.pkcs11ModuleName) {
                      path = \(path)
                    }
                  }
                }

            """
        } ?? ""
        // "default" first: charon applies it before the subsystems' own levels.
        let subsystems = ["default"] + logLevels.keys.filter { $0 != "default" }.sorted()
        let levels = subsystems.compactMap { name in logLevels[name].map { "      \(name) = \($0)\n" } }.joined()
        return """
            charon {
              load_modular = no
              load = \(plugins.joined(separator: " "))
              port = \(ikePort)
              port_nat_t = \(ikePort + 1)
              install_routes = no
              install_virtual_ip = no
              retransmit_timeout = \(retransmitTimeout)
              retransmit_tries = \(retransmitTries)
              plugins {
                vici {
                  socket = unix://\(viciSocket)
                }
            \(pkcs11)  }
              syslog {
                daemon {
                  default = -1
                }
              }
              filelog {
                log {
                  path = \(logPath)
                  time_format = %s
                  time_add_ms = yes
                  ike_name = yes
            \(levels)      flush_line = yes
                }
              }
            }

            """
    }
}
