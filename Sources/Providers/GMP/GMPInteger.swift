package import CGMP
import CryptoFramework

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One GMP integer (an `mpz_t`) owned by Swift: created initialised, never
/// changed after the operation that produced it, and wiped (every allocated
/// limb zeroed) before it is freed.
///
/// GMP's allocator is left as the host process set it (the framework may run
/// inside someone else's process as a PKCS#11 module, and GMP's memory
/// functions are process-wide). Secrets stay out of freed heap blocks
/// another way: every result is allocated up front at its largest size
/// (`capacityBits`), so GMP never reallocates it and leaves an old copy
/// behind; GMP's own temporaries for these sizes live on the stack (its
/// TMP_ALLOC uses alloca below 32 KB); and the secret exponentiation runs on
/// a scratch buffer this type owns and wipes (``GMPEngine``'s mpn_sec_powm).
public final class GMPInteger: @unchecked Sendable {  // immutable once built: operations write only into fresh results
    package let pointer: UnsafeMutablePointer<__mpz_struct>

    /// A new integer with value 0 and room for `capacityBits` bits.
    package init(capacityBits: Int) {
        pointer = .allocate(capacity: 1)
        __gmpz_init2(pointer, mp_bitcnt_t(max(capacityBits, 64)))
    }

    /// A new integer computed by `body`, which writes its result, at most
    /// `capacityBits` long, into the fresh mpz.
    package convenience init(capacityBits: Int, _ body: (UnsafeMutablePointer<__mpz_struct>) throws -> Void) rethrows {
        self.init(capacityBits: capacityBits)
        try body(pointer)
    }

    /// The integer whose big-endian unsigned bytes are `bytes` (mpz_import, most significant word first).
    package convenience init(bigEndian bytes: UnsafeRawBufferPointer) {
        self.init(capacityBits: bytes.count * 8)
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
    package var signum: Int {
        let size = pointer.pointee._mp_size
        return size < 0 ? -1 : (size > 0 ? 1 : 0)
    }

    package var isOdd: Bool { __gmpz_tstbit(pointer, 0) == 1 }

    /// Significant bits, 0 for 0.
    package var bitLength: Int { signum == 0 ? 0 : __gmpz_sizeinbase(pointer, 2) }

    /// Big-endian magnitude into the tail of `buffer`, zeros before it.
    /// Throws `dataLengthRange` when the value is negative or does not fit.
    package func export(into buffer: UnsafeMutableRawBufferPointer) throws {
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

    /// Limbs in use (the magnitude's length; 0 for 0).
    package var limbCount: Int { Int(abs(pointer.pointee._mp_size)) }

    /// Bytes needed for the magnitude (0 for 0).
    package var byteCount: Int { (bitLength + 7) / 8 }
}
