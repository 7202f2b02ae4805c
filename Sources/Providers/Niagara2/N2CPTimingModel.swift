import CryptoFramework
import EmulatedHardware

/// What one n2cp request costs on the chip's cipher/hash units, in cycles:
/// the unit's part (serial per core's unit) and the submitting strand's.
public struct N2CPJobCost: Sendable, Hashable {
    /// Cycles the unit is busy: job set-up and the rounds of every block.
    public var unitCycles: Int
    /// Cycles on the submitting strand: control words, hypervisor calls, completions.
    public var hostCycles: Int
    /// Jobs (control-word chains) the request took: one per 64 KB of input.
    public var jobs: Int
    public var clockHz: Double

    public var totalCycles: Int { unitCycles + hostCycles }
    public var seconds: Double { Double(totalCycles) / clockHz }
}

/// The cost model of n2cp over the chip's ``ChipModel/StreamUnits``: a
/// request of B bytes is ⌈B / maxJobBytes⌉ jobs (the driver splits longer
/// input, n2cp.h CW_MAX_DATA_LEN); each job costs the unit its set-up and the
/// host its control word, hypervisor call and completion; every block costs
/// the unit its algorithm's rounds × `cyclesPerRound`:
/// - AES (CBC and CTR): 10, 12 or 14 rounds per 16-byte block (FIPS 197,
///   Nr = Nk + 6); CTR encrypts one counter block per 16 bytes, the last one
///   even when partial (SP 800-38A §6.5);
/// - 3DES: 3 × 16 = 48 DES rounds per 8-byte block (FIPS 46-3);
/// - SHA-1: 80 rounds, SHA-256: 64 rounds per 64-byte block of the padded
///   message (FIPS 180-4); HMAC: the inner hash over key block ‖ message and
///   the outer one over key block ‖ inner digest (RFC 2104), in one job.
///
/// `cyclesPerRound` is calibrated on one published bulk figure (see
/// ``ChipModel/ultraSPARCT2``); that every algorithm's round costs the same on
/// the unit is this model's assumption.
public struct N2CPTimingModel: Sendable, Hashable {
    public let chip: ChipModel
    let units: ChipModel.StreamUnits

    public init?(chip: ChipModel) {
        guard let units = chip.streamUnits else { return nil }
        self.chip = chip
        self.units = units
    }

    /// Rounds and block bytes of a mechanism on the unit, or nil when it has none.
    static func rounds(_ mechanism: Mechanism, keyBytes: Int) -> (rounds: Int, blockBytes: Int)? {
        switch mechanism {
        case .aesCBC, .aesCTR: (keyBytes / 4 + 6, 16)
        case .des3CBC: (48, 8)
        case .sha1, .sha1HMAC: (80, 64)
        case .sha256, .sha256HMAC: (64, 64)
        default: nil
        }
    }

    /// 64-byte blocks SHA-1/SHA-256 compress for `bytes` of message (with the 0x80 byte and the 8-byte length).
    static func hashBlocks(bytes: Int) -> Int { (bytes + 9 + 63) / 64 }

    /// The cost of a request, or nil for one the unit does not do.
    public func cost(_ request: CryptoRequest) -> N2CPJobCost? {
        let mechanism: Mechanism
        let blocks: Int
        let bytes: Int
        var keyBytes = 0
        switch request {
        case .encrypt(let m, let key, _, let data), .decrypt(let m, let key, _, let data):
            mechanism = m
            keyBytes = key.count
            bytes = data.count
            guard let shape = Self.rounds(m, keyBytes: keyBytes) else { return nil }
            // CBC's input is whole blocks; CTR's last partial block still costs a counter block's rounds.
            blocks = (bytes + shape.blockBytes - 1) / shape.blockBytes
        case .digest(let m, let data):
            mechanism = m
            bytes = data.count
            blocks = Self.hashBlocks(bytes: bytes)
        case .mac(let m, _, let data):
            mechanism = m
            bytes = data.count
            guard let hash = HashAlgorithm(hmacMechanism: m) else { return nil }
            blocks = Self.hashBlocks(bytes: 64 + bytes) + Self.hashBlocks(bytes: 64 + hash.digestLength)
        default:
            return nil
        }
        return cost(mechanism, keyBytes: keyBytes, blocks: blocks, bytes: bytes)
    }

    /// The cost of one submission of `bytes` bytes that runs `blocks` of
    /// `mechanism`'s blocks on the unit (a stream's part: a digest's whole
    /// blocks so far, its padded tail at Finish), or nil for a mechanism the unit does not do.
    public func cost(_ mechanism: Mechanism, keyBytes: Int = 0, blocks: Int, bytes: Int) -> N2CPJobCost? {
        guard let shape = Self.rounds(mechanism, keyBytes: keyBytes) else { return nil }
        let jobs = max(1, (bytes + units.maxJobBytes - 1) / units.maxJobBytes)
        return N2CPJobCost(
            unitCycles: jobs * units.jobSetupCycles + blocks * shape.rounds * units.cyclesPerRound,
            hostCycles: jobs * units.hostJobCycles, jobs: jobs, clockHz: chip.clockHz)
    }
}
