/// The non-ESP marker (RFC 3948 §2.2): four zero bytes in front of an IKE
/// message on a port shared with ESP-in-UDP. strongSwan puts it in front of
/// every message when neither port is 500, so a responder on a high port
/// accepts it and answers in kind. An ISAKMP message never starts with four
/// zero bytes (its initiator cookie is not zero), so the two never mix up.
public enum NonESPMarker {
    public static let bytes: [UInt8] = [0, 0, 0, 0]

    /// The message without its marker, and whether it had one.
    public static func strip(_ datagram: [UInt8]) -> (message: [UInt8], marked: Bool) {
        if isMarked(datagram) {
            return (Array(datagram.dropFirst(4)), true)
        }
        return (datagram, false)
    }

    /// Whether `datagram` starts with the marker.
    public static func isMarked(_ datagram: some Collection<UInt8>) -> Bool {
        datagram.count >= 4 && datagram.prefix(4).allSatisfy { $0 == 0 }
    }

    public static func add(_ message: [UInt8], marked: Bool) -> [UInt8] {
        marked ? bytes + message : message
    }
}
