import ArgumentParser

/// Solaris cryptoadm's operands, which are words rather than options:
/// `provider=NAME`, `mechanism=A,B,…` or `mechanism=all`, `all`, `random`.
struct Operands {
    /// What `mechanism=` named.
    enum MechanismList: Equatable {
        /// `mechanism=all`: every mechanism of the provider except random.
        case all
        /// Names as given (checked against the provider later, so that an unknown
        /// name gets Solaris' "(Warning) … is not a valid mechanism for …").
        case names([String])
    }

    /// Which operand kinds a subcommand accepts.
    struct Accepted: OptionSet {
        let rawValue: Int
        static let provider = Accepted(rawValue: 1)
        static let mechanism = Accepted(rawValue: 2)
        /// The bare words `all` and `random`.
        static let features = Accepted(rawValue: 4)
        /// `install`'s module options: `pinfile=/PATH`, `slot=N`, `token=LABEL`.
        static let moduleOptions = Accepted(rawValue: 8)
        /// `kstat`'s `pid=N`.
        static let processID = Accepted(rawValue: 16)
    }

    /// `pinfile=`: a file holding the token's PIN (never the PIN itself).
    var pinFile: String?
    var slot: Int?
    var tokenLabel: String?

    var provider: String?
    /// `pid=N`: a process that publishes kstats.
    var processID: Int32?
    var mechanisms: MechanismList?
    /// Bare `all`: every mechanism and random.
    var all = false
    var random = false

    init() {}

    /// Parses `words`, accepting only the operand kinds in `accepted`. Errors
    /// are usage errors (exit 2).
    init(parsing words: [String], accepting accepted: Accepted) throws {
        for word in words {
            if let value = Self.value(of: "provider=", in: word), accepted.contains(.provider) {
                guard provider == nil else { throw ValidationError("provider= given more than once.") }
                guard !value.isEmpty else { throw ValidationError("bad provider name: provider= needs a name.") }
                provider = value
            } else if let value = Self.value(of: "mechanism=", in: word), accepted.contains(.mechanism) {
                guard mechanisms == nil else { throw ValidationError("mechanism= given more than once.") }
                mechanisms = try Self.mechanismList(value)
            } else if let value = Self.value(of: "pinfile=", in: word), accepted.contains(.moduleOptions) {
                guard pinFile == nil else { throw ValidationError("pinfile= given more than once.") }
                guard value.hasPrefix("/") else { throw ValidationError("pinfile= needs an absolute path.") }
                pinFile = value
            } else if let value = Self.value(of: "slot=", in: word), accepted.contains(.moduleOptions) {
                guard slot == nil else { throw ValidationError("slot= given more than once.") }
                guard let number = Int(value), number >= 0, value.count <= 9 else {
                    throw ValidationError("bad slot number '\(value)'.")
                }
                slot = number
            } else if let value = Self.value(of: "token=", in: word), accepted.contains(.moduleOptions) {
                guard tokenLabel == nil else { throw ValidationError("token= given more than once.") }
                guard !value.isEmpty else { throw ValidationError("token= needs a label.") }
                tokenLabel = value
            } else if Self.value(of: "pin=", in: word) != nil, accepted.contains(.moduleOptions) {
                throw ValidationError("a PIN is never given on the command line (ps would show it): put it in a file readable only by you and give pinfile=/path/to/file.")
            } else if let value = Self.value(of: "pid=", in: word), accepted.contains(.processID) {
                guard processID == nil else { throw ValidationError("pid= given more than once.") }
                guard let pid = Int32(value), pid > 0 else { throw ValidationError("bad process id '\(value)'.") }
                processID = pid
            } else if word == "all", accepted.contains(.features) {
                all = true
            } else if word == "random", accepted.contains(.features) {
                random = true
            } else {
                throw ValidationError("unrecognized operand '\(word)'.")
            }
        }
    }

    private static func value(of keyword: String, in word: String) -> String? {
        word.hasPrefix(keyword) ? String(word.dropFirst(keyword.count)) : nil
    }

    private static func mechanismList(_ value: String) throws -> MechanismList {
        if value == "all" { return .all }
        let names = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !names.isEmpty, !names.contains(where: \.isEmpty) else {
            throw ValidationError("bad mechanism list '\(value)': name one or more mechanisms, separated by commas.")
        }
        return .names(names)
    }
}
