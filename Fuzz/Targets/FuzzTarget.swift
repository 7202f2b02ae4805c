/// The parsers the fuzzers drive (Fuzz/README.md): one entry point per target,
/// shared by the libFuzzer executable (`make fuzz`) and the corpus replay in
/// `swift test` (Tests/IKEBenchTests/FuzzCorpusTests.swift).
///
/// An input may be refused, but only with the parser's own error type; any
/// other outcome is `.unexpected`, which the fuzzer turns into a crash report.
public struct FuzzTarget: Sendable {
    public let name: String
    public let run: @Sendable ([UInt8]) -> FuzzVerdict

    public init(name: String, run: @escaping @Sendable ([UInt8]) -> FuzzVerdict) {
        self.name = name
        self.run = run
    }

    /// Every target, by the name `make fuzz` and the corpus directories use.
    ///
    /// Still to come (the lead adds them when those pieces are merged):
    /// - `ike-udp`: one datagram into `ikebench serve`'s UDP path (exchange table,
    ///   retransmission cache, Notify refusals), once the serve target exists;
    /// - `pkcs11-template`: a CK_ATTRIBUTE array decoded from the input and fed
    ///   to the PKCS#11 module's C_CreateObject / C_GenerateKeyPair template parser.
    /// Each is one `FuzzTarget` here plus a seed directory `Fuzz/Corpus/<name>/`.
    public static let all: [FuzzTarget] = [.isakmp, .kcfConf, .rsaDER, .rsaPEM]

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// What one input came to.
public enum FuzzVerdict: Sendable, Equatable {
    case accepted
    case refused
    case unexpected(String)
}
