import Glibc

/// IKE ports for a charon that other programs on the machine will not hold.
///
/// charon binds its IKE port and the NAT-T port after it; when either is
/// taken it logs "could not open IPv4 socket, IPv4 disabled" and keeps
/// running, so every exchange over IPv4 ends in retransmissions and "peer not
/// responding" (seen with strongSwan 5.9.8). Ports from Linux's ephemeral
/// range (`net.ipv4.ip_local_port_range`, 32768–60999 by default) are the ones
/// any socket bound to port 0 may already hold, so the ports come from below it
/// and are checked free when handed out.
public enum CharonPorts {
    /// Even ports from here, below the default ephemeral range.
    public static let range = 20_000..<32_700

    /// A random even port `p` of ``range`` with UDP `p` and `p + 1` free on
    /// every IPv4 address now (nil: none found in `attempts` tries). Another
    /// program may still take one before charon binds; ``CharonDaemon/start``
    /// then fails, saying so.
    public static func freePair(attempts: Int = 64) -> Int? { freeRun(2, attempts: attempts) }

    /// A random even port `p` of ``range`` with UDP `p` … `p + count − 1` free now
    /// (`ikebench retell`: two charons and a serve take five).
    public static func freeRun(_ count: Int, attempts: Int = 64) -> Int? {
        for _ in 0..<attempts {
            let port = range.lowerBound + 2 * Int.random(in: 0..<((range.count - count) / 2))
            if (port..<(port + count)).allSatisfy(isFree) { return port }
        }
        return nil
    }

    /// Whether a UDP socket can bind 0.0.0.0:`port` (without SO_REUSEADDR, so any holder shows).
    public static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
