import CryptoFramework

/// Modeled T1 cycles for the IKE symmetric mechanisms in software (libcrypto's
/// C code on one UltraSPARC T1 strand).
///
/// No published single-strand T1 cycles-per-byte figure for software SHA-1,
/// SHA-256, AES or 3DES was found in the sources available here (Sun's and
/// Oracle's blogs give T2/T4 hardware figures and T1 chip-wide throughput), so
/// the figures are derived from the standard implementations' instruction mix
/// on the T1's single-issue, in-order pipeline, with the latencies of
/// gcc/config/sparc/niagara.md: integer ALU 1 cycle, load 3, store 1.
/// - SHA-1, per 64-byte block: 80 rounds × (13 ALU for f, two rotates and the
///   adds + 1 load of W[t] = 16 cycles) + 64 schedule words × (3 XOR + 3 for the
///   rotate + 4 loads + 1 store = 19 cycles) = 1,280 + 1,216 = 2,496 cycles (39 cycles/byte).
/// - SHA-256, per block: 64 rounds × (Σ0, Σ1 11 each, Ch 3, Maj 5, 7 adds, loads
///   of W[t] and K[t] 6 = 43 cycles) + 48 schedule words × (σ0, σ1 9 each,
///   3 adds, 4 loads 12, 1 store = 34) = 2,752 + 1,632 = 4,384 cycles (68.5 cycles/byte).
/// - AES (T-tables), per 16-byte block and round: 16 table loads (48), 16 index
///   extractions of shift + AND (32), 16 XORs, 4 round-key loads (12) and
///   their 4 XORs = 112 cycles; × 10/12/14 rounds for 128/192/256-bit keys,
///   + 20 cycles of CBC chaining (4 loads, 4 XORs, 4 stores + the IV).
/// - 3DES, per 8-byte block: 3 × 16 DES rounds × (8 SP-box loads 24, 8 index
///   extractions 16, 2 subkey loads 6, 10 XOR/rotate = 56 cycles) + initial and
///   final permutations and CBC chaining ≈ 60 cycles = 2,748 cycles.
/// - HMAC: the hash of (key ⊕ ipad ‖ message), then of (key ⊕ opad ‖ inner digest).
enum T1SymmetricCost {
    static let sha1BlockCycles = 2_496.0
    static let sha256BlockCycles = 4_384.0
    static let aesRoundCycles = 112.0
    static let aesChainingCycles = 20.0
    static let des3BlockCycles = 2_748.0

    /// 64-byte blocks a SHA-1/SHA-256 computation of `bytes` bytes compresses
    /// (the message, the 0x80 byte and the 8-byte length, padded).
    static func hashBlocks(bytes: Int) -> Int { (bytes + 9 + 63) / 64 }

    static func blockCycles(_ hash: HashAlgorithm) -> Double? {
        switch hash {
        case .sha1: sha1BlockCycles
        case .sha256: sha256BlockCycles
        default: nil
        }
    }

    static func digest(_ hash: HashAlgorithm, bytes: Int) -> Double? {
        blockCycles(hash).map { Double(hashBlocks(bytes: bytes)) * $0 }
    }

    static func hmac(_ hash: HashAlgorithm, bytes: Int) -> Double? {
        blockCycles(hash).map { Double(hashBlocks(bytes: 64 + bytes) + hashBlocks(bytes: 64 + hash.digestLength)) * $0 }
    }

    static func aesCBC(keyBytes: Int, bytes: Int) -> Double {
        let rounds = Double(keyBytes / 4 + 6)  // 10, 12, 14 (FIPS 197 Nr = Nk + 6)
        return Double(bytes / 16) * (rounds * aesRoundCycles + aesChainingCycles)
    }

    static func des3CBC(bytes: Int) -> Double { Double(bytes / 8) * des3BlockCycles }

    /// Random bytes from Solaris' software generator, swrand
    /// (usr/src/uts/common/crypto/io/swrand.c), which produces its output by
    /// SHA-1 over its entropy pool: one SHA-1 compression per 20 bytes out.
    static func random(bytes: Int) -> Double { Double((bytes + 19) / 20) * sha1BlockCycles }

    /// Modeled cycles of a symmetric request, or nil when the mechanism has no estimate.
    static func cycles(_ request: CryptoRequest) -> Double? {
        switch request {
        case .digest(let m, let data):
            return HashAlgorithm(digestMechanism: m).flatMap { digest($0, bytes: data.count) }
        case .mac(let m, _, let data):
            return HashAlgorithm(hmacMechanism: m).flatMap { hmac($0, bytes: data.count) }
        case .encrypt(let m, let key, _, let data), .decrypt(let m, let key, _, let data):
            switch m {
            case .aesCBC: return aesCBC(keyBytes: key.count, bytes: data.count)
            case .des3CBC: return des3CBC(bytes: data.count)
            default: return nil
            }
        case .random(let count):
            return random(bytes: count)
        default:
            return nil
        }
    }
}
