/// An RSA public key as engine numbers, cached behind the key value under
/// `"<engine id>.rsa"` so a hot loop converts the key once.
public struct RSAPublicNumbers<Number: Sendable>: Sendable {
    public let n: Number
    public let e: Number
    public init(n: Number, e: Number) {
        self.n = n
        self.e = e
    }
}

/// An RSA private key's CRT form as engine numbers (RFC 8017 §3.2, second
/// representation), cached behind the key value under `"<engine id>.rsa"`.
public struct RSAPrivateNumbers<Number: Sendable>: Sendable {
    public let n: Number
    public let e: Number
    public let p: Number
    public let q: Number
    /// d mod (p − 1)
    public let dp: Number
    /// d mod (q − 1)
    public let dq: Number
    /// q⁻¹ mod p
    public let qinv: Number
    public init(n: Number, e: Number, p: Number, q: Number, dp: Number, dq: Number, qinv: Number) {
        self.n = n
        self.e = e
        self.p = p
        self.q = q
        self.dp = dp
        self.dq = dq
        self.qinv = qinv
    }
}

/// RSA (RFC 8017) over any ``BignumEngine``: the primitives with CRT and
/// blinding, signatures for every ``RSAScheme``, and key generation.
public struct RSAAlgorithms<Engine: BignumEngine>: Sendable {
    public let engine: Engine

    /// Whether a private-key result is checked against the public key before
    /// it is returned (``privateOperation(key:input:context:)``). Software
    /// providers check their own results; an emulated device does not, as the
    /// hardware it models did not: the framework checks every signature a
    /// hardware provider returns, on a software provider (Selection rule 5).
    public let checksPrivateResults: Bool

    public init(engine: Engine, checksPrivateResults: Bool = true) {
        self.engine = engine
        self.checksPrivateResults = checksPrivateResults
    }

    /// The key-handle cache slot this engine's numbers live in.
    public var handleSlot: String { "\(engine.identifier).rsa" }

    // MARK: Key numbers

    public func numbers(of key: RSAPublicKey) -> RSAPublicNumbers<Engine.Number> {
        key.handles.handle(handleSlot) {
            RSAPublicNumbers(n: engine.number(bigEndian: key.modulus), e: engine.number(bigEndian: key.publicExponent))
        }
    }

    public func numbers(of key: RSAPrivateKey) -> RSAPrivateNumbers<Engine.Number> {
        key.handles.handle(handleSlot) {
            RSAPrivateNumbers(
                n: engine.number(bigEndian: key.modulus), e: engine.number(bigEndian: key.publicExponent),
                p: engine.number(secret: key.prime1), q: engine.number(secret: key.prime2),
                dp: engine.number(secret: key.exponent1), dq: engine.number(secret: key.exponent2),
                qinv: engine.number(secret: key.coefficient))
        }
    }

    // MARK: Primitives

    /// RSAVP1 (RFC 8017 §5.2.2): s^e mod n as k bytes. Throws `dataInvalid`
    /// when the input is not below n ("signature representative out of range").
    public func publicOperation(key: RSAPublicKey, input: [UInt8], context: OperationContext) throws -> [UInt8] {
        let numbers = numbers(of: key)
        let s = engine.number(bigEndian: input)
        guard engine.compare(s, numbers.n) < 0 else {
            throw CryptoError(.dataInvalid, "RSA input is not below the modulus")
        }
        let m = try engine.modExp(s, numbers.e, numbers.n, secret: false, context: context)
        return try engine.bigEndianBytes(m, length: key.byteCount)
    }

    /// RSASP1 (RFC 8017 §5.2.1) with the CRT (§5.1.2 step 2b) and base
    /// blinding: a fresh r per call, c' = c·r^e mod n, result·r⁻¹ mod n, so
    /// the secret exponentiations never see the caller's value. The result is
    /// checked against the public key before it is released (Bellcore: a
    /// faulty CRT half would otherwise leak a factor of n), unless
    /// ``checksPrivateResults`` leaves that to the framework.
    public func privateOperation(key: RSAPrivateKey, input: [UInt8], context: OperationContext) throws -> [UInt8] {
        let k = key.publicKey.byteCount
        let x = numbers(of: key)
        let c = engine.number(bigEndian: input)
        guard engine.compare(c, x.n) < 0 else {
            throw CryptoError(.dataInvalid, "RSA input is not below the modulus")
        }
        let (r, rInverse) = try blindingPair(modulus: x.n)
        let blinded = engine.mulMod(c, try engine.modExp(r, x.e, x.n, secret: false, context: context), x.n)
        // m1 = c'^dp mod p, m2 = c'^dq mod q.
        let m1 = try engine.modExp(engine.remainder(blinded, x.p), x.dp, x.p, secret: true, context: context)
        let m2 = try engine.modExp(engine.remainder(blinded, x.q), x.dq, x.q, secret: true, context: context)
        // h = qinv·(m1 − m2) mod p, kept non-negative as m1 + p − (m2 mod p).
        let difference = engine.subtract(engine.add(m1, x.p), engine.remainder(m2, x.p))
        let h = engine.mulMod(x.qinv, difference, x.p)
        // m = m2 + h·q < n (Garner), then unblind.
        let blindedResult = engine.add(m2, engine.multiply(h, x.q))
        let result = engine.mulMod(blindedResult, rInverse, x.n)
        if checksPrivateResults { try checkPrivateResult(result, input: c, publicKey: key.publicKey, context: context) }
        return try engine.bigEndianBytes(result, length: k)
    }

    /// Throws `deviceError` unless result^e mod n equals `input`, both as
    /// big-endian bytes. The public numbers come from the public key's own
    /// cache, not the private key's, so one corrupted handle cannot vouch for itself.
    public func checkPrivateResult(
        _ result: [UInt8], input: [UInt8], publicKey: RSAPublicKey, context: OperationContext
    ) throws {
        try checkPrivateResult(
            engine.number(bigEndian: result), input: engine.number(bigEndian: input),
            publicKey: publicKey, context: context)
    }

    func checkPrivateResult(
        _ result: Engine.Number, input: Engine.Number, publicKey: RSAPublicKey, context: OperationContext
    ) throws {
        let pub = numbers(of: publicKey)
        let back = try engine.modExp(result, pub.e, pub.n, secret: false, context: context)
        guard engine.compare(back, input) == 0 else {
            throw CryptoError(.deviceError,
                "\(engine.identifier): RSA private-key result failed its check against the public key; withheld")
        }
    }

    /// A blinding factor r in 1..<n with its inverse mod n.
    private func blindingPair(modulus n: Engine.Number) throws -> (Engine.Number, Engine.Number) {
        while true {
            let r = try engine.random(below: n)
            guard engine.bitLength(r) > 1 else { continue }  // 0 and 1 do not blind
            if let inverse = engine.invMod(r, n) { return (r, inverse) }
        }
    }

    // MARK: Signatures

    /// A signature of `data` under `scheme` (RFC 8017 §8.1.1 / §8.2.1), k bytes.
    /// PSS salts come from the engine's secure generator.
    public func sign(
        scheme: RSAScheme, key: RSAPrivateKey, data: [UInt8], pss: PSSParameters?,
        hash: HashFunction, context: OperationContext
    ) throws -> [UInt8] {
        switch try RSASignatureInput.prepare(scheme: scheme, key: key.publicKey, data: data, pss: pss, hash: hash) {
        case .encoded(let em):
            return try privateOperation(key: key, input: em, context: context)
        case .pss(let mHash, let parameters):
            let salt = try engine.randomBytes(count: parameters.saltLength).bytes
            let em = try RSAPadding.pssEncode(
                mHash: mHash, emBits: key.bits - 1, salt: salt, parameters: parameters, hash: hash)
            return try privateOperation(key: key, input: em, context: context)
        }
    }

    /// Whether `signature` is valid for `data` under `scheme` (``RSASignatureVerifier``).
    public func verify(
        scheme: RSAScheme, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters?,
        hash: HashFunction, context: OperationContext
    ) throws -> Bool {
        try RSASignatureVerifier.verify(
            scheme: scheme, key: key, data: data, signature: signature, pss: pss,
            publicOperation: { try publicOperation(key: key, input: $0, context: context) }, hash: hash)
    }

    // MARK: Key generation

    /// Default public exponent F4 = 65537.
    public static var defaultPublicExponent: [UInt8] { [0x01, 0x00, 0x01] }

    /// A new key of exactly `bits` bits (FIPS 186-4 §B.3.3 in outline): random
    /// probable primes of ⌈bits/2⌉ and ⌊bits/2⌋ bits with their two top bits
    /// set (so n has exactly `bits` bits), gcd(e, p − 1) = gcd(e, q − 1) = 1,
    /// |p − q| > 2^(bits/2 − 100), d = e⁻¹ mod lcm(p − 1, q − 1) > 2^(bits/2).
    /// An empty `publicExponent` means 65537.
    public func generateKeyPair(bits: Int, publicExponent: [UInt8], context: OperationContext) throws -> RSAPrivateKey {
        guard (RSAKeyCheck.minModulusBits...RSAKeyCheck.maxModulusBits).contains(bits) else {
            throw CryptoError(.keySizeRange,
                "RSA key of \(bits) bits is outside \(RSAKeyCheck.minModulusBits)...\(RSAKeyCheck.maxModulusBits)")
        }
        let eBytes = Array((publicExponent.isEmpty ? Self.defaultPublicExponent : publicExponent).drop(while: { $0 == 0 }))
        let e = engine.number(bigEndian: eBytes)
        let one = engine.number(1)
        guard let last = eBytes.last, last & 1 == 1, engine.bitLength(e) >= 2, engine.bitLength(e) < bits / 2 else {
            throw CryptoError(.argumentsBad, "RSA public exponent must be odd, at least 3 and shorter than half the modulus")
        }
        let pBits = (bits + 1) / 2
        let qBits = bits / 2
        while true {
            var p = try randomPrime(bits: pBits, coprimeTo: e)
            var q = try randomPrime(bits: qBits, coprimeTo: e)
            if engine.compare(p, q) < 0 { swap(&p, &q) }
            // FIPS 186-4 §B.3.3 step 5.4: |p − q| > 2^(nlen/2 − 100); also rules out p = q.
            guard engine.bitLength(engine.subtract(p, q)) > bits / 2 - 100 else { continue }
            let p1 = engine.subtract(p, one)
            let q1 = engine.subtract(q, one)
            let lambda = engine.quotient(engine.multiply(p1, q1), engine.gcd(p1, q1))
            guard let d = engine.invMod(e, lambda), engine.bitLength(d) > bits / 2,
                let qinv = engine.invMod(q, p)
            else { continue }
            let n = engine.multiply(p, q)
            guard engine.bitLength(n) == bits else { continue }
            let numbers = RSAPrivateNumbers(
                n: n, e: e, p: p, q: q, dp: engine.remainder(d, p1), dq: engine.remainder(d, q1), qinv: qinv)
            let key = try RSAPrivateKey(
                modulus: try engine.bigEndianBytes(n, length: (bits + 7) / 8), publicExponent: eBytes,
                privateExponent: try engine.secureBytes(d, length: nil),
                prime1: try engine.secureBytes(p, length: nil), prime2: try engine.secureBytes(q, length: nil),
                exponent1: try engine.secureBytes(numbers.dp, length: nil),
                exponent2: try engine.secureBytes(numbers.dq, length: nil),
                coefficient: try engine.secureBytes(qinv, length: nil))
            _ = key.handles.handle(handleSlot) { numbers }
            return key
        }
    }

    /// A probable prime of exactly `bits` bits, top two bits set, with gcd(e, prime − 1) = 1.
    private func randomPrime(bits: Int, coprimeTo e: Engine.Number) throws -> Engine.Number {
        let one = engine.number(1)
        while true {
            let candidate = try engine.random(bits: bits, topBits: 2, odd: true)
            if engine.isProbablePrime(candidate), engine.isCoprime(engine.subtract(candidate, one), e) {
                return candidate
            }
        }
    }
}
