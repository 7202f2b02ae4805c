// Building blocks for providers' mechanism tables and the check every provider
// makes before serving, so each provider states only its own ranges.

extension Mechanism {
    /// Every RSA signature mechanism of the catalog (those with an ``RSAScheme``).
    public static let rsaSignatureMechanisms: [Mechanism] = catalog.filter { RSAScheme($0) != nil }
}

extension MechanismInfo {
    /// Sign and verify with every RSA signature mechanism, and RSA key-pair
    /// generation, for moduli in `bits`.
    public static func rsaTable(bits: ClosedRange<Int>, extraFlags: MechanismFlags = []) -> [MechanismInfo] {
        Mechanism.rsaSignatureMechanisms.map {
            MechanismInfo($0, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound, flags: [.sign, .verify, extraFlags])
        } + [
            MechanismInfo(.rsaPKCSKeyPairGen, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                flags: [.generateKeyPair, extraFlags])
        ]
    }

    /// DH key-pair generation and derivation for primes in `bits`.
    public static func dhTable(bits: ClosedRange<Int>, extraFlags: MechanismFlags = []) -> [MechanismInfo] {
        [
            MechanismInfo(.dhPKCSKeyPairGen, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                flags: [.generateKeyPair, extraFlags]),
            MechanismInfo(.dhPKCSDerive, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                flags: [.derive, extraFlags]),
        ]
    }
}

extension CryptoProvider {
    /// This provider's table entry for `request`; throws what the registry
    /// expects of a provider asked for something outside its table: mechanism
    /// invalid (mechanism or operation not listed), or key size out of range.
    public func tableEntry(for request: CryptoRequest) throws -> MechanismInfo {
        guard let info = descriptor.info(for: request.mechanism), info.flags.contains(request.requiredFlag) else {
            throw unsupported(request)
        }
        guard info.accepts(keyBits: request.keyBits) else {
            throw CryptoError(.keySizeRange,
                "\(descriptor.name) serves \(request.mechanism) with \(info.minKeyBits)...\(info.maxKeyBits)-bit keys, not \(request.keyBits ?? 0)")
        }
        return info
    }
}
