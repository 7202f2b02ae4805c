/// Modular exponentiation with a *public* exponent, in pure Swift, for checks
/// the framework makes independently of every provider (rule 5: s^e mod n of a
/// hardware signature). Montgomery multiplication, CIOS form (Koç, Acar,
/// Kaliski, "Analyzing and Comparing Montgomery Multiplication Algorithms",
/// IEEE Micro 1996), over 64-bit limbs. Not constant time: only public values.
struct PublicMontgomeryModulus: Sendable {
    /// n, little-endian 64-bit limbs.
    let n: [UInt64]
    /// −n⁻¹ mod 2⁶⁴.
    let n0Inverse: UInt64
    /// R² mod n, R = 2^(64·k).
    let rSquared: [UInt64]
    /// Byte length of n.
    let byteCount: Int

    /// n must be odd and above 1 (every RSA modulus the framework accepts is).
    init(modulus bigEndian: [UInt8]) {
        let trimmed = Array(bigEndian.drop(while: { $0 == 0 }))
        byteCount = trimmed.count
        let limbs = Self.limbs(fromBigEndian: trimmed, count: (trimmed.count + 7) / 8)
        n = limbs
        // Newton iteration for n⁻¹ mod 2⁶⁴: each step doubles the correct low bits.
        var inverse: UInt64 = 1
        for _ in 0..<6 { inverse = inverse &* (2 &- limbs[0] &* inverse) }
        n0Inverse = 0 &- inverse
        // R² mod n by doubling 1 modulo n, 2·64·k times.
        var x = [UInt64](repeating: 0, count: limbs.count)
        x[0] = 1
        for _ in 0..<(2 * 64 * limbs.count) { Self.doubleMod(&x, limbs) }
        rSquared = x
    }

    /// base^exponent mod n, as `byteCount` big-endian bytes; nil if base ≥ n.
    func power(_ base: [UInt8], exponent: [UInt8]) -> [UInt8]? {
        let k = n.count
        let trimmed = Array(base.drop(while: { $0 == 0 }))
        guard trimmed.count <= k * 8 else { return nil }
        let b = Self.limbs(fromBigEndian: trimmed, count: k)
        guard Self.compare(b, n) < 0 else { return nil }
        // Left to right from the exponent's top set bit (e = 65537: 16
        // squarings and one multiply); every product in buffers made once.
        guard let top = exponent.firstIndex(where: { $0 != 0 }) else {
            return Self.bigEndianBytes(k == 1 && n[0] == 1 ? [0] : [1] + Array(repeating: 0, count: k - 1), length: byteCount)
        }
        var acc = [UInt64](repeating: 0, count: k)
        var bm = [UInt64](repeating: 0, count: k)
        var scratch = [UInt64](repeating: 0, count: 2 * k + 2)
        var one = [UInt64](repeating: 0, count: k)
        one[0] = 1
        rSquared.withUnsafeBufferPointer { r2 in
            b.withUnsafeBufferPointer { bb in
                acc.withUnsafeMutableBufferPointer { acc in
                    bm.withUnsafeMutableBufferPointer { bm in
                        scratch.withUnsafeMutableBufferPointer { scratch in
                            one.withUnsafeMutableBufferPointer { one in
                                let t = scratch.baseAddress!, product = t + (k + 2)
                                multiply(bb.baseAddress!, r2.baseAddress!, into: bm.baseAddress!, scratch: t)
                                acc.baseAddress!.update(from: bm.baseAddress!, count: k)
                                var first = true
                                for byte in exponent[top...] {
                                    for bit in (0..<8).reversed() {
                                        let set = (byte >> UInt8(bit)) & 1 == 1
                                        if first {
                                            if set { first = false }  // acc = base: the top bit consumed
                                            continue
                                        }
                                        multiply(acc.baseAddress!, acc.baseAddress!, into: product, scratch: t)
                                        acc.baseAddress!.update(from: product, count: k)
                                        if set {
                                            multiply(acc.baseAddress!, bm.baseAddress!, into: product, scratch: t)
                                            acc.baseAddress!.update(from: product, count: k)
                                        }
                                    }
                                }
                                // Out of Montgomery form: acc · 1 · R⁻¹.
                                multiply(acc.baseAddress!, one.baseAddress!, into: product, scratch: t)
                                acc.baseAddress!.update(from: product, count: k)
                            }
                        }
                    }
                }
            }
        }
        return Self.bigEndianBytes(acc, length: byteCount)
    }

    /// a·b·R⁻¹ mod n (CIOS), for a, b < n.
    func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        let k = n.count
        var result = [UInt64](repeating: 0, count: k)
        var scratch = [UInt64](repeating: 0, count: k + 2)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { r in
                    scratch.withUnsafeMutableBufferPointer { t in
                        multiply(a.baseAddress!, b.baseAddress!, into: r.baseAddress!, scratch: t.baseAddress!)
                    }
                }
            }
        }
        return result
    }

    /// CIOS over raw limbs: `result` (k limbs) = a·b·R⁻¹ mod n, using `t`
    /// (k + 2 limbs) as the accumulator. `result` may not alias `a` or `b`.
    private func multiply(
        _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, into result: UnsafeMutablePointer<UInt64>,
        scratch t: UnsafeMutablePointer<UInt64>
    ) {
        n.withUnsafeBufferPointer { nb in
            Self.montgomeryMultiply(a, b, into: result, modulus: nb.baseAddress!, count: nb.count, n0: n0Inverse, scratch: t)
        }
    }

    /// Montgomery multiplication (CIOS) over raw limbs, least significant
    /// first: `result` (k limbs) = a·b·R⁻¹ mod n for a, b < n, R = 2^(64k),
    /// n0 = −n⁻¹ mod 2^64, with `t` (k + 2 limbs) as the accumulator.
    /// `result` may not alias `a` or `b`. Variable time: for public values
    /// (this exponentiation, the EC point check).
    static func montgomeryMultiply(
        _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, into result: UnsafeMutablePointer<UInt64>,
        modulus n: UnsafePointer<UInt64>, count k: Int, n0 n0Inverse: UInt64, scratch t: UnsafeMutablePointer<UInt64>
    ) {
        t.initialize(repeating: 0, count: k + 2)
        for i in 0..<k {
            var carry: UInt64 = 0
            let ai = a[i]
            for j in 0..<k {
                let (hi, lo) = ai.multipliedFullWidth(by: b[j])
                let (s1, c1) = t[j].addingReportingOverflow(lo)
                let (s2, c2) = s1.addingReportingOverflow(carry)
                t[j] = s2
                carry = hi &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
            }
            let (s, c) = t[k].addingReportingOverflow(carry)
            t[k] = s
            t[k + 1] = c ? 1 : 0
            let m = t[0] &* n0Inverse
            let (hi0, lo0) = m.multipliedFullWidth(by: n[0])
            let (_, c0) = t[0].addingReportingOverflow(lo0)
            carry = hi0 &+ (c0 ? 1 : 0)
            for j in 1..<k {
                let (hi, lo) = m.multipliedFullWidth(by: n[j])
                let (s1, c1) = t[j].addingReportingOverflow(lo)
                let (s2, c2) = s1.addingReportingOverflow(carry)
                t[j - 1] = s2
                carry = hi &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
            }
            let (s3, c3) = t[k].addingReportingOverflow(carry)
            t[k - 1] = s3
            t[k] = t[k + 1] &+ (c3 ? 1 : 0)
        }
        // t < 2n: one conditional subtraction.
        var geq = t[k] != 0
        if !geq {
            geq = true
            for j in stride(from: k - 1, through: 0, by: -1) where t[j] != n[j] {
                geq = t[j] > n[j]
                break
            }
        }
        var borrow = false
        for j in 0..<k {
            if geq {
                let (d1, o1) = t[j].subtractingReportingOverflow(n[j])
                let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
                result[j] = d2
                borrow = o1 || o2
            } else {
                result[j] = t[j]
            }
        }
    }

    // MARK: Limb helpers

    static func limbs(fromBigEndian bytes: [UInt8], count: Int) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: count)
        for (i, byte) in bytes.reversed().enumerated() {
            out[i / 8] |= UInt64(byte) << UInt64(8 * (i % 8))
        }
        return out
    }

    static func bigEndianBytes(_ limbs: [UInt64], length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        for i in 0..<length {
            let limb = limbs[i / 8]
            out[length - 1 - i] = UInt8(truncatingIfNeeded: limb >> UInt64(8 * (i % 8)))
        }
        return out
    }

    static func compare(_ a: [UInt64], _ b: [UInt64]) -> Int {
        for i in stride(from: a.count - 1, through: 0, by: -1) where a[i] != b[i] {
            return a[i] < b[i] ? -1 : 1
        }
        return 0
    }

    /// a −= b (a ≥ b, or a has an implicit top bit that the borrow clears).
    static func subtract(_ a: inout [UInt64], _ b: [UInt64]) {
        var borrow = false
        for i in 0..<a.count {
            let (d1, o1) = a[i].subtractingReportingOverflow(b[i])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
            a[i] = d2
            borrow = o1 || o2
        }
    }

    /// x = 2x mod n, for x < n.
    static func doubleMod(_ x: inout [UInt64], _ n: [UInt64]) {
        var carry: UInt64 = 0
        for i in 0..<x.count {
            let next = x[i] >> 63
            x[i] = (x[i] << 1) | carry
            carry = next
        }
        if carry != 0 || compare(x, n) >= 0 { subtract(&x, n) }
    }
}
