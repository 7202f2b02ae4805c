import ProviderGMP
import EmulatedHardware
import CryptoFramework
import Synchronization

/// Modeled whole-chip throughput of sparcfp's public-key operations.
///
/// The chip's FPUs (one on the T1, shared by its eight cores: ``ChipModel/ultraSPARCT1``)
/// run the FP instructions of concurrent operations one after another, while
/// their integer work spreads over the strands: throughput = min(FPUs × clock /
/// FP cycles, strands × clock / all cycles). FP cycles include the trap
/// penalty, which is spent in the FP path.
extension SPARCFloatProvider {
    public func modeledThroughput(mechanism: Mechanism, operation: String, keyBits: Int) -> Double? {
        let slot = ThroughputSlot(mechanism: mechanism, operation: operation, bits: keyBits)
        if let known = throughputCache.withLock({ $0[slot] }) { return known }
        let counts: FloatOpCounts
        do {
            guard let measured = try representativeCounts(slot) else { return nil }
            counts = measured
        } catch {
            return nil
        }
        let fpCycles = chip.floatingPointCycles(counts)
            + Double(counts.floatingPointOperations) * chip.fpTrapPenaltyCycles
        let all = chip.cycles(counts)
        guard fpCycles > 0, all > 0 else { return nil }
        let throughput = min(Double(chip.floatingPointUnits) * chip.clockHz / fpCycles,
                             Double(chip.strands) * chip.clockHz / all)
        throughputCache.withLock { $0[slot] = throughput }
        return throughput
    }

    /// The counts of one operation of that kind, run for real on a fresh key.
    private func representativeCounts(_ slot: ThroughputSlot) throws -> FloatOpCounts? {
        let keys = libcrypto
        let context = OperationContext()
        switch (slot.mechanism, slot.operation) {
        case (.rsaPKCS, "sign"), (.rsaPKCS, "verify"):
            let key = try keys.perform(.generateRSAKeyPair(bits: slot.bits, publicExponent: []), context: OperationContext()).rsaKeyPair
            let data = [UInt8](repeating: 0x5a, count: 36)
            let signature = try perform(.sign(.rsaPKCS, key: key, data: data, pss: nil), context: context).bytes
            if slot.operation == "sign" { return context.work.tally(FloatOpCounts.self) }
            let verifyContext = OperationContext()
            _ = try perform(.verify(.rsaPKCS, key: key.publicKey, data: data, signature: signature, pss: nil), context: verifyContext)
            return verifyContext.work.tally(FloatOpCounts.self)
        case (.dhPKCSKeyPairGen, _), (.dhPKCSDerive, _):
            guard let group = DHGroup.allIKE.first(where: { $0.bits == slot.bits }) else { return nil }
            let request: CryptoRequest
            if slot.mechanism == .dhPKCSKeyPairGen {
                request = .generateDHKeyPair(group: group, privateBits: nil)
            } else {
                // The private value as long as this provider would draw it.
                let mine = try keys.perform(
                    .generateDHKeyPair(group: group, privateBits: dhPrivateValues.bits(for: group)), context: OperationContext()).dhKeyPair
                let peer = try keys.perform(.generateDHKeyPair(group: group, privateBits: nil), context: OperationContext()).dhKeyPair
                request = .deriveDH(privateKey: mine.privateKey, peerPublicValue: peer.publicValue)
            }
            _ = try perform(request, context: context)
            return context.work.tally(FloatOpCounts.self)
        default:
            return nil
        }
    }
}

struct ThroughputSlot: Hashable, Sendable {
    let mechanism: Mechanism
    let operation: String
    let bits: Int
}
