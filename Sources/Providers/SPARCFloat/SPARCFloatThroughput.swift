import CryptoFramework
import Synchronization

/// Modeled whole-chip throughput of sparcfp's public-key operations on a T1.
///
/// The T1's eight cores share one floating-point unit (DESIGN.md "The two T1
/// models"; Sun's UltraSPARC T1 documentation describes the single FPU), so
/// the FP instructions of concurrent operations run one after another, while their integer work spreads over
/// the 32 strands: throughput = min(clock / FP cycles, 32 × clock / all cycles).
/// FP cycles include the trap penalty, which is spent in the FP path.
extension SPARCFloatProvider {
    /// Hardware strands of the T1 (8 cores × 4).
    static let strands = 32.0

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
        let fpCycles = costModel.floatingPointCycles(counts)
            + Double(counts.floatingPointOperations) * costModel.fpTrapPenaltyCycles
        let all = costModel.cycles(counts)
        guard fpCycles > 0, all > 0 else { return nil }
        let throughput = min(costModel.clockHz / fpCycles, Self.strands * costModel.clockHz / all)
        throughputCache.withLock { $0[slot] = throughput }
        return throughput
    }

    /// The counts of one operation of that kind, run for real on a fresh key.
    private func representativeCounts(_ slot: ThroughputSlot) throws -> FloatOpCounts? {
        let keys = OpenSSLProvider()
        let context = OperationContext()
        switch (slot.mechanism, slot.operation) {
        case (.rsaPKCS, "sign"), (.rsaPKCS, "verify"):
            guard case .rsaKeyPair(let key) = try keys.perform(
                .generateRSAKeyPair(bits: slot.bits, publicExponent: []), context: OperationContext()) else { return nil }
            let data = [UInt8](repeating: 0x5a, count: 36)
            guard case .bytes(let signature) = try perform(.sign(.rsaPKCS, key: key, data: data, pss: nil), context: context)
            else { return nil }
            if slot.operation == "sign" { return FloatOpCounts(named: context.counts) }
            let verifyContext = OperationContext()
            _ = try perform(.verify(.rsaPKCS, key: key.publicKey, data: data, signature: signature, pss: nil), context: verifyContext)
            return FloatOpCounts(named: verifyContext.counts)
        case (.dhPKCSKeyPairGen, _), (.dhPKCSDerive, _):
            guard let group = DHGroup.allIKE.first(where: { $0.bits == slot.bits }) else { return nil }
            let request: CryptoRequest
            if slot.mechanism == .dhPKCSKeyPairGen {
                request = .generateDHKeyPair(group: group, privateBits: nil)
            } else {
                guard case .dhKeyPair(let mine) = try keys.perform(.generateDHKeyPair(group: group, privateBits: nil), context: OperationContext()),
                    case .dhKeyPair(let peer) = try keys.perform(.generateDHKeyPair(group: group, privateBits: nil), context: OperationContext())
                else { return nil }
                request = .deriveDH(privateKey: mine.privateKey, peerPublicValue: peer.publicValue)
            }
            _ = try perform(request, context: context)
            return FloatOpCounts(named: context.counts)
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
