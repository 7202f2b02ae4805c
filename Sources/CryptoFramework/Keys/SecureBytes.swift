#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Secret bytes (private exponents, shared secrets, symmetric keys) in a buffer
/// that is wiped over its whole length when the last copy goes away, after
/// swift-crypto's `SecureBytes`. Comparison is in constant time.
/// (Unchecked Sendable: its storage is a ManagedBuffer, which the standard
/// library marks non-Sendable, but it is written only while the value is
/// made and read-only after, so copies may cross threads as before.)
public struct SecureBytes: @unchecked Sendable, Hashable {
    /// The bytes live in the storage object's own allocation (tail-allocated,
    /// after the count): one malloc per secret rather than an object and a
    /// separate buffer. Immutable after init; wiped in deinit.
    @usableFromInline final class Storage: ManagedBuffer<Int, UInt8> {
        /// A zeroed buffer for `count` bytes (at least one byte is allocated).
        static func make(count: Int) -> Storage {
            let buffer = Storage.create(minimumCapacity: max(count, 1)) { _ in count }
            let storage = unsafeDowncast(buffer, to: Storage.self)
            storage.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: max(count, 1)) }
            return storage
        }

        var count: Int { header }

        var pointer: UnsafeMutableRawBufferPointer {
            withUnsafeMutablePointerToElements { UnsafeMutableRawBufferPointer(start: $0, count: max(header, 1)) }
        }

        deinit {
            // Every byte a secret was ever written to (at least one byte is allocated), wiped with
            // explicit_bzero, which cannot be optimised away (glibc >= 2.25); UInt8 needs no deinitialization.
            // Not `capacity`: it asks malloc for the block's size, and an optimised build may
            // place a buffer that does not escape on the stack, where malloc has no block to size.
            let length = max(header, 1)
            withUnsafeMutablePointerToElements { elements in
                explicit_bzero(elements, length)
                SecureBytesWipeAudit.inspect(UnsafeRawBufferPointer(start: elements, count: length), length: length)
            }
        }
    }

    @usableFromInline let storage: Storage

    public init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        storage = Storage.make(count: bytes.count)
        UnsafeMutableRawBufferPointer(rebasing: storage.pointer[0..<bytes.count]).copyBytes(from: bytes)
    }

    /// The bytes at `bytes`, copied with one memcpy. The generic init, called
    /// from another module, runs unspecialized (the collection's metadata
    /// instantiated and its bytes copied one by one on every call): the PKCS#11
    /// module copies every template value of each C_DeriveKey and C_CreateObject.
    public init(_ bytes: UnsafeRawBufferPointer) {
        storage = Storage.make(count: bytes.count)
        if let base = bytes.baseAddress { storage.pointer.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
    }

    /// The bytes of an array, with one memcpy (as the init from a buffer).
    public init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { SecureBytes($0) }
    }

    /// `count` bytes written once by `initializer`; used to receive a secret straight
    /// from a C library without an intermediate copy.
    /// A negative `count` is `argumentsBad`.
    public init(count: Int, initializer: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        guard count >= 0 else { throw CryptoError(.argumentsBad, "a secret of \(count) bytes was requested") }
        storage = Storage.make(count: count)
        try initializer(UnsafeMutableRawBufferPointer(rebasing: storage.pointer[0..<count]))
    }

    /// The parts one after another, copied straight from buffer to buffer (no
    /// plain array in between): how a secret joins other bytes as a PRF input.
    public init(concatenating parts: [SecureBytes]) {
        self = try! SecureBytes(exactly: parts.reduce(0) { $0 + $1.count }) { w in  // the parts fill the count: cannot throw
            for part in parts { try w.append(part) }
        }
    }

    /// Exactly `count` bytes, written in order by `write` through a ``Writer``
    /// straight into one wiping buffer: how parts (plain arrays, other secrets,
    /// single bytes) are joined into a secret with no intermediate copy.
    /// A negative `count`, a write past `count`, or fewer than `count` bytes
    /// written is `argumentsBad`; the partly written buffer is then wiped as
    /// every other one is when released.
    public init(exactly count: Int, _ write: (inout Writer) throws -> Void) throws {
        guard count >= 0 else { throw CryptoError(.argumentsBad, "a secret of \(count) bytes was requested") }
        storage = Storage.make(count: count)
        var writer = Writer(UnsafeMutableRawBufferPointer(rebasing: storage.pointer[0..<count]))
        try write(&writer)
        guard writer.remaining == 0 else {
            throw CryptoError(.argumentsBad, "\(writer.written) of the secret's \(count) bytes were written: its parts are shorter than the count")
        }
    }

    /// Appends parts to the buffer of ``init(exactly:_:)``, in order, each
    /// checked against the room left: a part that does not fit is refused
    /// (`argumentsBad`) and nothing of it is written.
    public struct Writer: ~Copyable {
        private let buffer: UnsafeMutableRawBufferPointer
        /// Bytes written so far.
        public private(set) var written = 0

        fileprivate init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

        /// Bytes still to write.
        public var remaining: Int { buffer.count - written }

        public mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
            guard bytes.count <= remaining else {
                throw CryptoError(.argumentsBad, "a part of \(bytes.count) bytes does not fit the \(remaining) left of a \(buffer.count)-byte secret")
            }
            if let base = bytes.baseAddress, bytes.count > 0 {
                (buffer.baseAddress! + written).copyMemory(from: base, byteCount: bytes.count)
            }
            written += bytes.count
        }

        public mutating func append(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try append($0) }
        }

        public mutating func append(_ bytes: ArraySlice<UInt8>) throws {
            try bytes.withUnsafeBytes { try append($0) }
        }

        public mutating func append(_ secret: SecureBytes) throws {
            try secret.withUnsafeBytes { try append($0) }
        }

        public mutating func append(_ byte: UInt8) throws {
            guard remaining >= 1 else {
                throw CryptoError(.argumentsBad, "a byte does not fit: the \(buffer.count)-byte secret is full")
            }
            buffer[written] = byte
            written += 1
        }
    }

    /// The first `length` bytes (all of them when there are fewer), copied
    /// straight into a buffer of their own.
    public func prefix(_ length: Int) -> SecureBytes {
        let n = min(max(length, 0), count)
        let source = UnsafeRawBufferPointer(rebasing: storage.pointer[0..<n])
        return try! SecureBytes(count: n) { $0.copyMemory(from: source) }  // n ≥ 0: cannot throw
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.count == 0 }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage.pointer[0..<storage.count]))
    }

    /// A copy as a plain array: only for values that are about to leave as output
    /// (a caller asked for the bytes).
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Constant-time equality: time depends on the lengths only.
    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { a in
            rhs.withUnsafeBytes { b in
                var diff: UInt8 = 0
                for i in 0..<a.count { diff |= a[i] ^ b[i] }
                return diff == 0
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
    }
}

/// Constant-time comparison of two byte strings (time depends on lengths only).
public func constantTimeEquals<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
where A.Element == UInt8, B.Element == UInt8 {
    guard a.count == b.count else { return false }
    // Arrays and slices (every caller so far) are compared through their
    // buffers: the generic zip below runs unspecialized across modules, with a
    // metadata look-up and witness calls per byte. Both loops visit every byte.
    if let diff = a.withContiguousStorageIfAvailable({ x in b.withContiguousStorageIfAvailable { y in orOfDifferences(x, y) } }),
        let diff
    {
        return diff == 0
    }
    var diff: UInt8 = 0
    for (x, y) in zip(a, b) { diff |= x ^ y }
    return diff == 0
}

/// The OR of x[i] ^ y[i] over equal-length buffers: no early exit, so its time depends on the length only.
private func orOfDifferences(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> UInt8 {
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff
}

extension Array where Element == UInt8 {
    /// Overwrites the array's bytes (explicit_bzero, which the optimizer keeps):
    /// for a plain copy of key material a request needed, once it is done.
    public mutating func wipe() {
        withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { explicit_bzero(base, raw.count) }
        }
    }
}
