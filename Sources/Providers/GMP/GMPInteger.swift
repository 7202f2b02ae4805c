internal import CGMP
import CryptoFramework

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One GMP integer (an `mpz_t`) owned by Swift: created initialised, never
/// changed after the operation that produced it, and wiped (every allocated
/// limb zeroed) before it is freed.
public final class GMPInteger: @unchecked Sendable {  // immutable once built: operations write only into fresh results
    let pointer: UnsafeMutablePointer<__mpz_struct>

    /// A new integer with value 0.
    init() {
        GMPSecureMemory.install()
        pointer = .allocate(capacity: 1)
        __gmpz_init(pointer)
    }

    /// A new integer computed by `body`, which writes its result into the fresh mpz.
    convenience init(_ body: (UnsafeMutablePointer<__mpz_struct>) throws -> Void) rethrows {
        self.init()
        try body(pointer)
    }

    /// The integer whose big-endian unsigned bytes are `bytes` (mpz_import, most significant word first).
    convenience init(bigEndian bytes: UnsafeRawBufferPointer) {
        self.init()
        if let base = bytes.baseAddress, bytes.count > 0 {
            __gmpz_import(pointer, bytes.count, 1, 1, 1, 0, base)
        }
    }

    deinit {
        let limbs = Int(pointer.pointee._mp_alloc)
        if let data = pointer.pointee._mp_d, limbs > 0 {
            explicit_bzero(data, limbs * MemoryLayout<mp_limb_t>.size)
        }
        __gmpz_clear(pointer)
        pointer.deallocate()
    }

    /// −1, 0 or 1 (mpz_sgn is a macro over _mp_size).
    var signum: Int {
        let size = pointer.pointee._mp_size
        return size < 0 ? -1 : (size > 0 ? 1 : 0)
    }

    var isOdd: Bool { __gmpz_tstbit(pointer, 0) == 1 }

    /// Significant bits, 0 for 0.
    var bitLength: Int { signum == 0 ? 0 : __gmpz_sizeinbase(pointer, 2) }

    /// Big-endian magnitude into the tail of `buffer`, zeros before it.
    /// Throws `dataLengthRange` when the value is negative or does not fit.
    func export(into buffer: UnsafeMutableRawBufferPointer) throws {
        guard signum >= 0 else {
            throw CryptoError(.dataLengthRange, "gmp: a negative intermediate cannot be encoded")
        }
        let needed = (bitLength + 7) / 8
        guard needed <= buffer.count else {
            throw CryptoError(.dataLengthRange, "gmp: a \(needed)-byte value does not fit \(buffer.count) bytes")
        }
        guard let base = buffer.baseAddress else { return }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        if needed > 0 {
            var written = 0
            __gmpz_export(base + (buffer.count - needed), &written, 1, 1, 1, 0, pointer)
        }
    }

    /// Bytes needed for the magnitude (0 for 0).
    var byteCount: Int { (bitLength + 7) / 8 }
}

/// Process-wide GMP allocator that zeroes memory before it is freed or moved,
/// so limbs GMP reallocates or frees internally (temporaries inside
/// mpz_powm_sec, grown results) do not leave secrets in the heap.
/// Compatible with GMP's defaults (malloc/realloc/free), so memory allocated
/// before installation is still freed correctly.
enum GMPSecureMemory {
    private static let installed: Bool = {
        __gmp_set_memory_functions(
            { size in malloc(size) },
            { old, oldSize, newSize in
                guard let fresh = malloc(newSize) else { return nil }
                if let old {
                    memcpy(fresh, old, min(oldSize, newSize))
                    explicit_bzero(old, oldSize)
                    free(old)
                }
                return fresh
            },
            { block, size in
                if let block {
                    explicit_bzero(block, size)
                    free(block)
                }
            })
        return true
    }()

    static func install() { _ = installed }
}
