import ProviderGMP
import EmulatedHardware
import CryptoFramework

/// Modeled cycles for the IKE symmetric mechanisms in software (libcrypto's
/// C code on one strand), as instruction mixes charged at the platform
/// chip's integer latencies (``ChipModel/latencies``).
///
/// No published single-strand T1 cycles-per-byte figure for software SHA-1,
/// SHA-256, AES or 3DES was found in the sources available here (Sun's and
/// Oracle's blogs give T2/T4 hardware figures and T1 chip-wide throughput), so
/// the mixes are derived from the standard implementations' instructions on a
/// single-issue, in-order pipeline. On the T1 (ALU 1 cycle, load 3, store 1:
/// gcc niagara.md) they come to:
/// - SHA-1, per 64-byte block: 80 rounds × (13 ALU for f, two rotates and the
///   adds + 1 load of W[t] = 16 cycles) + 64 schedule words × (3 XOR + 3 for the
///   rotate + 4 loads + 1 store = 19 cycles) = 1,280 + 1,216 = 2,496 cycles (39 cycles/byte).
/// - SHA-256, per block: 64 rounds × (Σ0, Σ1 11 each, Ch 3, Maj 5, 7 adds = 37
///   ALU, loads of W[t] and K[t] = 43 cycles) + 48 schedule words × (σ0, σ1 9
///   each, 3 adds, 4 loads, 1 store = 34) = 2,752 + 1,632 = 4,384 cycles (68.5 cycles/byte).
/// - AES (T-tables), per 16-byte block and round: 16 table loads, 16 index
///   extractions of shift + AND (32 ALU), 16 XORs, 4 round-key loads and their
///   4 XORs = 112 cycles; × 10/12/14 rounds for 128/192/256-bit keys, + 20
///   cycles of CBC chaining (4 loads, 4 XORs, 4 stores).
/// - 3DES, per 8-byte block: 3 × 16 DES rounds × (8 SP-box loads, 8 index
///   extractions = 16 ALU, 2 subkey loads, 10 XOR/rotate = 56 cycles) + initial
///   and final permutations and CBC chaining ≈ 60 ALU operations = 2,748 cycles.
/// - SHA-384/512, per 128-byte block: the SHA-256 round and schedule mixes on
///   64-bit words (the T1 is a 64-bit SPARC V9: sllx/srlx/or rotate in the same
///   3 ALU operations, ldx in one load), 80 rounds and 64 schedule words:
///   80 × 43 + 64 × 34 = 5,616 cycles (43.9 cycles/byte).
/// - MD5 (RFC 1321 §3.4), per 64-byte block: 64 steps × (3 for F/G or 2 for
///   H/I, rounded to 3; 3 adds of X[k] and T[i]; 2 to build T[i] (sethi, or);
///   3 for the rotate; 1 add of b; 1 load of X[k] = 15 cycles) = 960 cycles (15 cycles/byte).
/// - HMAC: the hash of (key ⊕ ipad ‖ message), then of (key ⊕ opad ‖ inner digest).
enum SymmetricSoftwareCost {
    static func mix(alu: Int, loads: Int, stores: Int) -> FloatOpCounts {
        FloatOpCounts(ialu: alu, iload: loads, istore: stores)
    }

    static let sha1Block = mix(alu: 13, loads: 1, stores: 0) * 80 + mix(alu: 6, loads: 4, stores: 1) * 64
    static let sha256Block = mix(alu: 37, loads: 2, stores: 0) * 64 + mix(alu: 21, loads: 4, stores: 1) * 48
    static let aesRound = mix(alu: 52, loads: 20, stores: 0)
    static let aesChaining = mix(alu: 4, loads: 4, stores: 4)
    static let des3Block = mix(alu: 26, loads: 10, stores: 0) * 48 + mix(alu: 60, loads: 0, stores: 0)
    static let sha512Block = mix(alu: 37, loads: 2, stores: 0) * 80 + mix(alu: 21, loads: 4, stores: 1) * 64
    static let md5Block = mix(alu: 14, loads: 1, stores: 0) * 64

    /// Compression-function blocks of a message of `bytes` bytes (the message,
    /// the 0x80 byte and the length field, padded).
    static func hashBlocks(_ hash: DigestAlgorithm, bytes: Int) -> Int { hash.blocks(forMessageBytes: bytes) }

    /// The digests Solaris 10's software providers offered on the T2000: md5,
    /// sha1 and sha2 (SHA-256/384/512; sha2_mod.c's sha2_mech_info_tab has no
    /// SHA-224) in illumos usr/src/uts/common/crypto/io/{md5_mod,sha1_mod,sha2_mod}.c.
    static func block(_ hash: DigestAlgorithm) -> FloatOpCounts? {
        switch hash {
        case .md5: md5Block
        case .sha1: sha1Block
        case .sha256: sha256Block
        case .sha384, .sha512: sha512Block
        case .sha224: nil
        }
    }

    static func digest(_ hash: HashAlgorithm, bytes: Int, on chip: ChipModel) -> Double? {
        digest(DigestAlgorithm(hash), bytes: bytes, on: chip)
    }

    static func digest(_ hash: DigestAlgorithm, bytes: Int, on chip: ChipModel) -> Double? {
        block(hash).map { chip.cycles($0 * hashBlocks(hash, bytes: bytes)) }
    }

    static func hmac(_ hash: DigestAlgorithm, bytes: Int, on chip: ChipModel) -> Double? {
        block(hash).map {
            chip.cycles($0 * (hashBlocks(hash, bytes: hash.blockLength + bytes) + hashBlocks(hash, bytes: hash.blockLength + hash.digestLength)))
        }
    }

    static func aesCBC(keyBytes: Int, bytes: Int, on chip: ChipModel) -> Double {
        let rounds = keyBytes / 4 + 6  // 10, 12, 14 (FIPS 197 Nr = Nk + 6)
        return chip.cycles((aesRound * rounds + aesChaining) * (bytes / 16))
    }

    static func des3CBC(bytes: Int, on chip: ChipModel) -> Double { chip.cycles(des3Block * (bytes / 8)) }

    /// RFC 3394 §2.2.1: 6n AES block operations for n 64-bit blocks, each with
    /// the chaining's loads and stores (the same shape as CBC's); n is taken
    /// as the input's blocks, one more than the key's when unwrapping.
    static func aesKeyWrap(keyBytes: Int, bytes: Int, on chip: ChipModel) -> Double {
        let rounds = keyBytes / 4 + 6
        let n = max(1, (bytes + 7) / 8)
        return chip.cycles((aesRound * rounds + aesChaining) * (6 * n))
    }

    /// Random bytes from Solaris' software generator, swrand
    /// (usr/src/uts/common/crypto/io/swrand.c), which produces its output by
    /// SHA-1 over its entropy pool: one SHA-1 compression per 20 bytes out.
    static func random(bytes: Int, on chip: ChipModel) -> Double { chip.cycles(sha1Block * ((bytes + 19) / 20)) }

    /// Modeled cycles of a symmetric request, or nil when the mechanism has no estimate.
    static func cycles(_ request: CryptoRequest, on chip: ChipModel) -> Double? {
        switch request {
        case .digest(let m, let data):
            return cycles(m, keyBytes: 0, bytes: data.count, on: chip)
        case .mac(let m, let key, let data):
            return cycles(m, keyBytes: key.count, bytes: data.count, on: chip)
        case .encrypt(let m, let key, _, let data), .decrypt(let m, let key, _, let data):
            if m == .aesKeyWrap || m == .aesKeyWrapPad { return aesKeyWrap(keyBytes: key.count, bytes: data.count, on: chip) }
            return cycles(m, keyBytes: key.count, bytes: data.count, on: chip)
        case .random(let count):
            return random(bytes: count, on: chip)
        default:
            return nil
        }
    }

    /// Modeled cycles of `bytes` bytes of a digest, HMAC or cipher mechanism, nil when it has no estimate.
    static func cycles(_ mechanism: Mechanism, keyBytes: Int, bytes: Int, on chip: ChipModel) -> Double? {
        if let hash = DigestAlgorithm(digestMechanism: mechanism) { return digest(hash, bytes: bytes, on: chip) }
        if let hash = DigestAlgorithm(hmacMechanism: mechanism) { return hmac(hash, bytes: bytes, on: chip) }
        switch mechanism {
        case .aesCBC: return aesCBC(keyBytes: keyBytes, bytes: bytes, on: chip)
        case .des3CBC: return des3CBC(bytes: bytes, on: chip)
        // ECB: the same rounds without CBC's chaining loads, XORs and stores
        // (for 3DES the chaining is within the 60 ALU operations counted once a block).
        case .aesECB: return chip.cycles(aesRound * (keyBytes / 4 + 6) * (bytes / 16))
        case .des3ECB: return des3CBC(bytes: bytes, on: chip)
        default: return nil
        }
    }
}
