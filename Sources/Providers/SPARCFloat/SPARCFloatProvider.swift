import ProviderGMP
import CryptoFramework
import EmulatedHardware
import Synchronization

/// The `sparcfp` software provider of the `t2000` platform: Solaris' software
/// bignum on UltraSPARC T1 — RSA and DH through the framework's algorithms
/// over ``FloatModExpEngine`` (the floating-point Montgomery multiply), ECDSA,
/// ECDH and EC key pairs on P-256 and P-384 through the framework's EC
/// algorithms charged as Solaris' software ECC (NSS's, on the integer MPI
/// bignum: ``MPIFieldCost``), and the IKE symmetric mechanisms computed by
/// libcrypto — every request charged in modeled cycles of the platform's chip
/// (``ChipModel``, ``SymmetricSoftwareCost``).
///
/// A DH key-pair request without a private-value length gets one as long as
/// the prime, as Solaris' softtoken did: `soft_dh_genkey_pair` draws
/// `primebit_len` bits when the template has no CKA_VALUE_BITS (illumos
/// usr/src/lib/pkcs11/pkcs11_softtoken/common/softDH.c). Pass
/// `dhPrivateValues: .short` for the framework's default (twice the group's
/// strength, RFC 3526 §8).
public final class SPARCFloatProvider: CryptoProvider {
    /// RSA moduli and DH primes served: 512 to 4096 bits, the range the FP
    /// engine is tested at (Solaris' bignum served up to 4096-bit RSA).
    public static let keyBits = 512...4096

    static let mechanisms: [MechanismInfo] =
        MechanismInfo.rsaTable(bits: keyBits) + MechanismInfo.dhTable(bits: keyBits)
        // Solaris' software ECC (softtoken's softEC.c over usr/src/common/crypto/ecc):
        // CKM_EC_KEY_PAIR_GEN, CKM_ECDSA and CKM_ECDH1_DERIVE, served here on the
        // curves whose NSS arithmetic is modeled (MPIFieldCost: P-256, P-384). A
        // software provider with its own digests, it serves the hashed CKM_ECDSA_SHA*
        // whole, as it does the hashed RSA mechanisms (composition is for devices).
        + MechanismInfo.ecdsaTable(curves: MPIFieldCost.curves) + [MechanismInfo.ecdhEntry(curves: MPIFieldCost.curves)]
        // The digests and HMACs of Solaris 10's software providers md5, sha1 and
        // sha2 (illumos usr/src/uts/common/crypto/io/md5_mod.c, sha1_mod.c,
        // sha2_mod.c: MD5, SHA1, SHA256, SHA384, SHA512 and their HMACs),
        // HMAC keys of 1 byte to 1 KiB, as the openssl provider computing them.
        + [DigestAlgorithm.md5, .sha1, .sha256, .sha384, .sha512].flatMap { hash in
            [MechanismInfo(hash.digestMechanism, flags: .digest),
             MechanismInfo(hash.hmacMechanism, minKeyBits: 8, maxKeyBits: 8192, flags: [.sign, .verify])]
        } + [
            // Solaris 10's aes and des providers registered ECB beside CBC
            // (illumos usr/src/uts/common/crypto/io/aes.c aes_mech_info_tab, des.c).
            MechanismInfo(.aesECB, minKeyBits: 128, maxKeyBits: 256, flags: [.encrypt, .decrypt]),
            MechanismInfo(.aesCBC, minKeyBits: 128, maxKeyBits: 256, flags: [.encrypt, .decrypt]),
            MechanismInfo(.des3ECB, minKeyBits: 192, maxKeyBits: 192, flags: [.encrypt, .decrypt]),
            MechanismInfo(.des3CBC, minKeyBits: 192, maxKeyBits: 192, flags: [.encrypt, .decrypt]),
        ] + MechanismInfo.aesKeyWrapTable() + [
            // Solaris' swrand: the T2000 has no hardware generator (ncp has none; n2rng came with the T2).
            MechanismInfo(.random, flags: [.generate]),
        ]

    public let descriptor: ProviderDescriptor
    /// The Montgomery multiplication RSA and DH run on.
    public let kernel: SolarisBignumKernel

    /// The chip every request is charged on.
    public let chip: ChipModel
    /// The DH private-value length when a request names none.
    public let dhPrivateValues: DHPrivateValueLength
    /// Whether a result waits for its modeled time on the wall clock (SPARCFloatHold.swift).
    public let timing: EmulatedTiming
    /// Modeled chip throughput per operation kind, computed once (SPARCFloatThroughput.swift).
    let throughputCache = Locked<[ThroughputSlot: Double]>([:])
    /// Computes the symmetric mechanisms, and the keys sparcfp's own
    /// throughput estimate signs with; only the cost is sparcfp's.
    let libcrypto: any CryptoProvider
    /// Computes `random`; only its cost is sparcfp's. Nil if the platform has no random source.
    private let random: (any CryptoProvider)?

    /// `chip`: the published T1 parameters by default; pass one with a trap
    /// penalty (``ChipModel/withFPTrapPenalty(_:)``) to test the emulation what-if.
    /// `kernel`: the FP path Solaris 10 shipped on all SPARC (provider `sparcfp`),
    /// or the integer path later sun4v builds used (`sparcumul64`).
    /// `timing`: `.timed(scale:)` holds every result until its modeled time × scale has passed.
    /// `libcrypto` computes the symmetric mechanisms and `random` the random
    /// bytes (the platform hands in its openssl and sodium providers).
    public init(chip: ChipModel = .ultraSPARCT1, dhPrivateValues: DHPrivateValueLength = .fullLength,
                kernel: SolarisBignumKernel = .floatingPoint, timing: EmulatedTiming = .fast,
                libcrypto: any CryptoProvider, random: (any CryptoProvider)?) {
        self.timing = timing
        self.descriptor = ProviderDescriptor(name: kernel.providerName, summary: kernel.summary(on: chip), mechanisms: Self.mechanisms)
        self.kernel = kernel
        self.chip = chip
        self.dhPrivateValues = dhPrivateValues
        self.libcrypto = libcrypto
        self.random = random
    }

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        let start = MonotonicClock.nanoseconds()
        let result = try compute(request, context: context)
        holdOnThread(since: start, context: context)
        return result
    }

    /// The symmetric mechanisms stream on libcrypto's contexts, charged in
    /// modeled T1 cycles (``SPARCFloatStream``); nil when libcrypto has no context for it.
    public func beginStream(_ request: StreamRequest, context: OperationContext) throws -> (any ProviderStream)? {
        let probe = request.request(data: [])
        _ = try tableEntry(for: probe)
        guard SymmetricSoftwareCost.cycles(probe, on: chip) != nil,
            let inner = try libcrypto.beginStream(request, context: OperationContext())
        else { return nil }
        return SPARCFloatStream(inner, request: request, provider: self, context: context)
    }

    public func performAsync(_ request: CryptoRequest, context: OperationContext) async throws -> CryptoResult {
        let start = MonotonicClock.nanoseconds()
        let result = try compute(request, context: context)
        await holdSuspended(since: start, context: context)
        return result
    }

    /// Computes the request and charges its modeled T1 time to `context`.
    private func compute(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        _ = try tableEntry(for: request)
        var request = request
        if case .generateDHKeyPair(let group, nil) = request {
            request = .generateDHKeyPair(group: group, privateBits: dhPrivateValues.bits(for: group))
        }
        let engine = FloatModExpEngine(
            chip: chip, kernel: kernel, charging: context, ecCost: request.curve.flatMap(MPIFieldCost.init(curve:)))
        let server = BignumRequestServer(engine: engine)
        let hash: HashFunction = { [chip] algorithm, data in
            if let cycles = SymmetricSoftwareCost.digest(algorithm, bytes: data.count, on: chip) {
                context.addModeled(cycles: cycles, clockHz: chip.clockHz)
            }
            return try GMPDigest.digest(algorithm, data)
        }
        if let result = try server.serve(request, hash: hash, secretHash: GMPDigest.digest(_:secret:), context: context) { return result }
        switch request {
        case .digest, .mac, .encrypt, .decrypt:
            guard let cycles = SymmetricSoftwareCost.cycles(request, on: chip) else { throw unsupported(request) }
            let result = try libcrypto.perform(request, context: OperationContext())
            context.count("\(descriptor.name).symmetric_bytes", request.dataCount)
            context.addModeled(cycles: cycles, clockHz: chip.clockHz)
            return result
        case .random(let count):
            guard let random else { throw CryptoError(.providerFailed, "\(descriptor.name): no random source") }
            let result = try random.perform(request, context: OperationContext())
            context.addModeled(cycles: SymmetricSoftwareCost.random(bytes: count, on: chip), clockHz: chip.clockHz)
            return result
        default:
            throw unsupported(request)
        }
    }
}

/// Which Montgomery multiplication Solaris' bignum (usr/src/common/bignum) was built with.
public enum SolarisBignumKernel: String, Sendable, CaseIterable {
    /// `-DUSE_FLOATING_POINT`: mont_mulf, Solaris 10's softtoken on all SPARC
    /// (lib/pkcs11/Makefile.softtoken.sparcv9).
    case floatingPoint
    /// `-DUMUL64`: 32×32→64-bit integer multiply-accumulate, the kernel `rsa`
    /// module on SPARC (uts/sparc/rsa/Makefile) and later sun4v userland
    /// (lib/pkcs11/libsoftcrypto/sun4v/Makefile.com).
    case umul64

    /// The provider's name.
    public var providerName: String { self == .floatingPoint ? "sparcfp" : "sparcumul64" }

    /// The provider's description on `chip` ("UltraSPARC T1 software bignum: … (modeled T1 time)").
    func summary(on chip: ChipModel) -> String {
        let short = chip.name.hasPrefix("UltraSPARC ") ? String(chip.name.dropFirst("UltraSPARC ".count)) : chip.name
        return self == .floatingPoint
            ? "\(chip.name) software bignum: RSA and DH over a floating-point Montgomery multiply, ECC over integer MPI (modeled \(short) time)"
            : "\(chip.name) software bignum, Sun's later sun4v build: RSA and DH over a 64-bit integer multiply, ECC over integer MPI (modeled \(short) time)"
    }
}

/// How long a DH private value is when the request does not say.
public enum DHPrivateValueLength: String, Sendable, CaseIterable {
    /// As long as the prime: Solaris softtoken without CKA_VALUE_BITS (softDH.c).
    case fullLength = "full"
    /// Twice the group's strength (``DHGroup/defaultPrivateBits``, RFC 3526 §8).
    case short

    /// The private-value bits for `group`.
    public func bits(for group: DHGroup) -> Int {
        self == .fullLength ? group.bits : group.defaultPrivateBits
    }
}

extension CryptoRequest {
    /// Bytes of input data of a symmetric request (0 for others).
    fileprivate var dataCount: Int {
        switch self {
        case .digest(_, let data), .encrypt(_, _, _, let data), .decrypt(_, _, _, let data):
            data.count
        case .mac(_, _, let data):
            data.count
        default: 0
        }
    }
}
