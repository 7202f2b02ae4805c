import Foundation

/// Where a framework takes its policy from.
public enum PolicySource: Sendable {
    /// `$CRYPTOFRAMEWORK_CONF`, else `$XDG_CONFIG_HOME/cryptoframework/kcf.conf`,
    /// else `~/.config/cryptoframework/kcf.conf`; a missing file enables everything.
    case `default`
    /// A kcf.conf at this path (watched: changes apply to new requests).
    case file(URL)
    /// A policy held in memory only (replace it with `CryptoFramework.setPolicy`).
    case inMemory(Policy)
}
