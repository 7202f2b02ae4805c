/// An IKE header's fields read in place, big-endian, without a parse (IKEv1's
/// cookies and IKEv2's SPIs at 0 and 8, the message ID at 20, IKEv2's length
/// at 24), and an SPI as the trace and the load's failure reports write it.
enum HeaderBytes {
    static func u64(_ m: [UInt8], _ at: Int) -> UInt64 {
        (at..<at + 8).reduce(0) { $0 << 8 | UInt64(m[$1]) }
    }

    static func u32(_ m: [UInt8], _ at: Int) -> UInt32 {
        (at..<at + 4).reduce(0) { $0 << 8 | UInt32(m[$1]) }
    }

    /// 16 hex digits, two per byte (a byte under 16 keeps its leading zero, so
    /// the text is unambiguous and a report's SPI can be searched for in a trace).
    static func hex(_ v: UInt64) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
