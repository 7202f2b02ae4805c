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

    /// Every target, by the name `make fuzz` and the corpus directories use
    /// (`Fuzz/Corpus/<name>/` holds each one's seeds).
    public static let all: [FuzzTarget] = [.isakmp, .ikev2, .kcfConf, .rsaDER, .rsaPEM, .ecDER, .ecPEM, .ikeUDP, .pkcs11Template]

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// What one input came to.
public enum FuzzVerdict: Sendable, Equatable {
    case accepted
    case refused
    case unexpected(String)
}
