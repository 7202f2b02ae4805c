/// Default residue arithmetic for engines that have nothing better: each
/// operation in terms of the general ones, so it is exactly as constant-time as
/// they are (for GMP's mpz functions: not at all; ``GMPEngine`` overrides these).
extension BignumEngine {
    public func fieldAdd(_ a: Number, _ b: Number, modulus: Number) -> Number {
        let sum = add(a, b)
        return compare(sum, modulus) >= 0 ? subtract(sum, modulus) : sum
    }

    public func fieldSubtract(_ a: Number, _ b: Number, modulus: Number) -> Number {
        compare(a, b) >= 0 ? subtract(a, b) : subtract(add(a, modulus), b)
    }

    public func fieldMultiply(_ a: Number, _ b: Number, modulus: Number) -> Number {
        mulMod(a, b, modulus)
    }

    public func fieldInverse(_ a: Number, modulus: Number, context: OperationContext) throws -> Number {
        let exponent = subtract(modulus, number(2))
        return try modExp(a, exponent, modulus, secret: true, context: context)
    }

    /// By arithmetic rather than by selection: d = swap·(b − a), then (a + d, b − d).
    public func fieldSwap(_ swap: UInt8, _ a: Number, _ b: Number, modulus: Number) -> (Number, Number) {
        let d = fieldMultiply(number(UInt(swap & 1)), fieldSubtract(b, a, modulus: modulus), modulus: modulus)
        return (fieldAdd(a, d, modulus: modulus), fieldSubtract(b, d, modulus: modulus))
    }

    public func account(_ work: ECFieldWork, context: OperationContext) {
        work.record(in: context)
    }
}
