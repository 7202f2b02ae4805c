import Testing

@testable import CryptoFramework

/// `SecureBytes(exactly:_:)`: parts written in order into one wiping buffer,
/// which must come out exactly full; a part that does not fit and a buffer
/// left short are errors, and every buffer (a refused one too) is wiped.
@Suite("SecureBytes writer", .serialized)
struct SecureBytesWriterTests {
    @Test("arrays, slices, other secrets, raw bytes and single bytes fill the buffer in order")
    func exactFill() throws {
        let secret = SecureBytes([0xAA, 0xBB])
        let raw: [UInt8] = [9, 8]
        let joined = try SecureBytes(exactly: 11) { w in
            #expect(w.remaining == 11)
            try w.append([1, 2, 3] as [UInt8])
            try w.append(([0, 4, 5, 0] as [UInt8])[1..<3])
            try w.append(secret)
            try raw.withUnsafeBytes { try w.append($0) }
            try w.append(7 as UInt8)
            try w.append([] as [UInt8])
            try w.append(0xFF as UInt8)
            #expect(w.written == 11 && w.remaining == 0)
        }
        #expect(joined.bytes == [1, 2, 3, 4, 5, 0xAA, 0xBB, 9, 8, 7, 0xFF])
    }

    @Test("an empty secret written with nothing, and concatenation through the writer")
    func emptyAndConcatenating() throws {
        let empty = try SecureBytes(exactly: 0) { _ in }
        #expect(empty.isEmpty)
        let zeroPart = try SecureBytes(exactly: 0) { try $0.append([] as [UInt8]) }
        #expect(zeroPart.isEmpty)
        let parts = [SecureBytes([1]), SecureBytes([]), SecureBytes([2, 3])]
        #expect(SecureBytes(concatenating: parts).bytes == [1, 2, 3])
        #expect(SecureBytes(concatenating: []).isEmpty)
    }

    @Test("a part that does not fit is refused with argumentsBad, and nothing of it is written")
    func overflowRefused() throws {
        var seen = -1
        do {
            _ = try SecureBytes(exactly: 4) { w in
                try w.append([1, 2, 3] as [UInt8])
                do {
                    try w.append([4, 5] as [UInt8])
                } catch {
                    seen = w.written  // the refused part left the count where it was
                    throw error
                }
            }
            Issue.record("5 bytes were written into a 4-byte secret")
        } catch let error as CryptoError {
            #expect(error.code == .argumentsBad)
        }
        #expect(seen == 3)
        let byteError = #expect(throws: CryptoError.self) {
            _ = try SecureBytes(exactly: 1) { w in
                try w.append(1 as UInt8)
                try w.append(2 as UInt8)
            }
        }
        #expect(byteError?.code == .argumentsBad)
        let secretError = #expect(throws: CryptoError.self) {
            _ = try SecureBytes(exactly: 1) { try $0.append(SecureBytes([1, 2])) }
        }
        #expect(secretError?.code == .argumentsBad)
    }

    @Test("a buffer left short, or a negative count, is argumentsBad")
    func underfillAndNegative() throws {
        let short = #expect(throws: CryptoError.self) {
            _ = try SecureBytes(exactly: 5) { try $0.append([1, 2] as [UInt8]) }
        }
        #expect(short?.code == .argumentsBad)
        #expect(short?.message.contains("2 of the secret's 5 bytes") == true)
        let negative = #expect(throws: CryptoError.self) {
            _ = try SecureBytes(exactly: -1) { _ in }
        }
        #expect(negative?.code == .argumentsBad)
    }

    @Test("a written buffer, and one refused half-way, are all zeros when released")
    func wiped() async throws {
        let tally = await SecureBytesWipeAudit.run {
            let made = try? SecureBytes(exactly: 347) { w in
                try w.append([UInt8](repeating: 0xA5, count: 300))
                try w.append(SecureBytes([UInt8](repeating: 0x5A, count: 47)))
            }
            #expect(made?.count == 347)
            let refused = try? SecureBytes(exactly: 349) { w in
                try w.append([UInt8](repeating: 0xC3, count: 340))
                try w.append([UInt8](repeating: 0x3C, count: 10))  // one byte too many
            }
            #expect(refused == nil)
            let short = try? SecureBytes(exactly: 351) { try $0.append([UInt8](repeating: 0x77, count: 200)) }
            #expect(short == nil)
        }
        #expect(tally.lengths[347, default: 0] >= 1, "the written secret was released through the wipe: \(tally.lengths)")
        #expect(tally.lengths[349, default: 0] >= 1, "the refused buffer was released through the wipe: \(tally.lengths)")
        #expect(tally.lengths[351, default: 0] >= 1, "the short buffer was released through the wipe: \(tally.lengths)")
        #expect(tally.notZeroed == 0, "\(tally)")
    }
}
