import Foundation

extension Array where Element == UInt8 {
    /// Bytes from an even-length hex string (Wycheproof's and test vectors' form).
    public init(hex: String) throws {
        guard hex.count % 2 == 0 else { throw HexError(description: "odd-length hex") }
        var out: [UInt8] = []
        out.reserveCapacity(hex.count / 2)
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            guard let b = UInt8(hex[i..<j], radix: 16) else { throw HexError(description: "not hex: \(hex[i..<j])") }
            out.append(b)
            i = j
        }
        self = out
    }

    /// Lowercase hex, two digits a byte.
    public var hex: String { map { String(format: "%02x", $0) }.joined() }
}

/// A hex string that is not one.
public struct HexError: Error, CustomStringConvertible {
    public let description: String
}
