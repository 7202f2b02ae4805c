internal import CPKCS11
import CryptoFramework

/// The keystore's record encoding: a list of (type u64 LE, length u32 LE,
/// value) entries. Parsing rejects truncation and trailing bytes.
enum KeystoreFormat {
    static func encode(_ entries: [(UInt64, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (type, value) in entries.sorted(by: { $0.0 < $1.0 }) {
            withUnsafeBytes(of: type.littleEndian) { out += $0 }
            withUnsafeBytes(of: UInt32(value.count).littleEndian) { out += $0 }
            out += value
        }
        return out
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> [UInt64: [UInt8]]? {
        var entries: [UInt64: [UInt8]] = [:]
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else { return nil }
            let type = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)))
            offset += 12
            guard bytes.count - offset >= length, entries[type] == nil else { return nil }
            entries[type] = Array(bytes[offset..<(offset + length)])
            offset += length
        }
        return entries
    }
}

/// The token's record (`token` in the keystore directory): its label, and
/// the master key sealed under the SO PIN and (once C_InitPIN ran) the user PIN.
struct TokenRecord {
    var label: [UInt8]
    var iterations: Int
    var soSalt: [UInt8]
    var soSealed: [UInt8]
    var userSalt: [UInt8]?
    var userSealed: [UInt8]?

    static let magic = Array("CFKSTOK1".utf8)
    private enum Field: UInt64 { case label = 1, iterations, soSalt, soSealed, userSalt, userSealed }

    func encoded() -> [UInt8] {
        var entries: [(UInt64, [UInt8])] = [
            (Field.label.rawValue, label), (Field.iterations.rawValue, AttributeValue.ulong(CK_ULONG(iterations))),
            (Field.soSalt.rawValue, soSalt), (Field.soSealed.rawValue, soSealed),
        ]
        if let userSalt, let userSealed {
            entries += [(Field.userSalt.rawValue, userSalt), (Field.userSealed.rawValue, userSealed)]
        }
        return Self.magic + KeystoreFormat.encode(entries)
    }

    init(label: [UInt8], iterations: Int, soSalt: [UInt8], soSealed: [UInt8]) {
        self.label = label
        self.iterations = iterations
        self.soSalt = soSalt
        self.soSealed = soSealed
    }

    /// Nil when the bytes are not a well-formed token record.
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= Self.magic.count, Array(bytes.prefix(Self.magic.count)) == Self.magic,
            let fields = bytes.withUnsafeBytes({ KeystoreFormat.decode(UnsafeRawBufferPointer(rebasing: $0[Self.magic.count...])) }),
            let label = fields[Field.label.rawValue], let iterationBytes = fields[Field.iterations.rawValue],
            let iterations = try? AttributeValue.ulong(iterationBytes), iterations > 0, iterations < 100_000_000,
            let soSalt = fields[Field.soSalt.rawValue], let soSealed = fields[Field.soSealed.rawValue]
        else { return nil }
        self.init(label: label, iterations: Int(iterations), soSalt: soSalt, soSealed: soSealed)
        userSalt = fields[Field.userSalt.rawValue]
        userSealed = fields[Field.userSealed.rawValue]
        if (userSalt == nil) != (userSealed == nil) { return nil }
    }

    var userPINInitialized: Bool { userSealed != nil }

    /// Additional data binding a sealed master key to its role.
    static func aad(so: Bool) -> [UInt8] { magic + Array((so ? "so" : "user").utf8) }
}
