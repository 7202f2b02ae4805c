import Foundation

/// IKE Phase I on the responder as charon's own log tells it, with the
/// boundaries of the 2007 DTrace script: from the first packet of an IKE SA
/// received (message 1) to the packet sent after charon logs the SA
/// established (message 6). The log is strongSwan's filelog with
/// `time_format = %s`, `time_add_ms = yes` and `ike_name = yes`:
///
///     1764420000.123 13[NET] <7> received packet: from 127.0.0.1[15500] to 127.0.0.1[25500] (176 bytes)
///     1764420007.851 01[NET] <retell|7> sending packet: from 127.0.0.1[25500] to 127.0.0.1[15500] (236 bytes)
public struct ResponderLog {
    /// One IKE SA of the responder, by charon's unique id.
    public struct Exchange: Equatable, Sendable {
        public let id: Int
        public var firstReceived: Double?
        public var established = false
        /// Set by the first packet sent once established: message 6.
        public var lastSent: Double?
        /// Retransmitted requests charon answered from its stored reply.
        public var retransmits = 0

        /// Phase I seconds, when the exchange completed.
        public var phaseOneSeconds: Double? {
            guard let start = firstReceived, let end = lastSent, established else { return nil }
            return end - start
        }
    }

    /// The exchanges in order of their first packet.
    public let exchanges: [Exchange]

    public init(_ text: String) {
        var byID: [Int: Exchange] = [:]
        var order: [Int] = []
        for line in text.split(separator: "\n") {
            guard let parsed = Self.parse(line) else { continue }
            if byID[parsed.id] == nil {
                byID[parsed.id] = Exchange(id: parsed.id)
                order.append(parsed.id)
            }
            let message = parsed.message
            if message.hasPrefix("received packet:") {
                if byID[parsed.id]!.firstReceived == nil { byID[parsed.id]!.firstReceived = parsed.time }
            } else if message.hasPrefix("IKE_SA ") && message.contains(" established between ") {
                byID[parsed.id]!.established = true
            } else if message.hasPrefix("sending packet:") {
                if byID[parsed.id]!.established && byID[parsed.id]!.lastSent == nil { byID[parsed.id]!.lastSent = parsed.time }
            } else if message.hasPrefix("received retransmit of request") {
                byID[parsed.id]!.retransmits += 1
            }
        }
        exchanges = order.map { byID[$0]! }
    }

    /// Time, IKE SA id and message of a line that names an IKE SA.
    private static func parse(_ line: Substring) -> (time: Double, id: Int, message: Substring)? {
        guard let space = line.firstIndex(of: " "), let time = Double(line[..<space]) else { return nil }
        guard let open = line[space...].firstIndex(of: "<"), let close = line[open...].firstIndex(of: ">") else { return nil }
        let tag = line[line.index(after: open)..<close]
        let idText = tag.split(separator: "|").last ?? tag
        guard let id = Int(idText) else { return nil }
        let rest = line[line.index(after: close)...].drop { $0 == " " }
        return (time, id, rest)
    }
}
