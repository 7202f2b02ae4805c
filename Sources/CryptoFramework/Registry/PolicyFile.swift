/// kcf.conf, the policy file, as text (docs/DESIGN.md "Policy file (kcf.conf)").
///
/// Grammar, after Solaris `/etc/crypto/kcf.conf` (one line per provider):
///
///     file    := line ( '\n' line )*
///     line    := ws* ( entry ws* )? ( '#' any* )?
///     entry   := name ws* ':' ws* option ( ws* ';' ws* option )*
///              | module ws* ':' ws* ( moption ( ws* ';' ws* moption )* )?
///     option  := 'unload' | disabled
///     disabled:= 'disabledlist' ws* '=' ws* mech ( ws* ',' ws* mech )*
///     moption := disabled | 'pinfile' ws* '=' ws* abspath
///              | 'slot' ws* '=' ws* [0-9]{1,9} | 'token' ws* '=' ws* [A-Za-z0-9_.-]{1,32}
///     name    := software | hardware | module
///     software:= [a-z0-9_.-]+                 (openssl, gmp)
///     hardware:= software '/' [0-9]+           (ncp/0)
///     module  := '/' path ending in .so or .so.N, no whitespace, ':' or '#'
///     abspath := '/' followed by bytes other than whitespace, ';' and '#'
///     ws      := ' ' | '\t' | '\r'
///
/// A module's line is its installation (`cryptoadm install`): it may have no
/// option at all (`/usr/lib/softhsm/libsofthsm2.so:`), as Solaris' pkcs11.conf
/// lists a module alone, and it stays when everything is enabled again. The
/// module options say how to reach its token: `pinfile=` names a file holding
/// the login PIN (never the PIN itself), `slot=` and `token=` choose the token.
///
/// Every error names the line and column (1-based, counted in Unicode scalars)
/// as `kcf.conf:LINE:COLUMN: what is wrong`: a malformed file never silently
/// enables or disables anything.
extension Policy {
    /// Parses kcf.conf text. Errors are `CryptoError(.policyInvalid, "FILE:LINE:COLUMN: …")`.
    public init(kcfConf text: String, fileName: String = "kcf.conf") throws {
        try self.init(kcfConfBytes: Array(text.utf8), fileName: fileName)
    }

    /// Parses kcf.conf bytes as read from disk; also rejects non-UTF-8 bytes and NULs.
    public init(kcfConfBytes bytes: [UInt8], fileName: String = "kcf.conf") throws {
        var parser = KCFConfParser(bytes: bytes, fileName: fileName)
        self = try parser.parse()
    }

    /// The policy as kcf.conf text: a header comment, then one line per entry
    /// that says something, in entry order; mechanisms in PKCS#11 value order
    /// (`random`, whose value is in the vendor range, last).
    public var kcfConfText: String {
        var text = KCFConfLimits.header
        for (name, entry) in entriesInOrder where !entry.isDefault || ProviderKind(providerName: name) == .pkcs11Module {
            var options: [String] = []
            if !entry.disabled.isEmpty {
                options.append("disabledlist=" + entry.disabled.sorted().map(\.name).joined(separator: ","))
            }
            if entry.unloaded { options.append("unload") }
            if let pinFile = entry.pinFile { options.append("pinfile=" + pinFile) }
            if let slot = entry.slot { options.append("slot=\(slot)") }
            if let token = entry.tokenLabel { options.append("token=" + token) }
            text += name + ":" + options.joined(separator: ";") + "\n"
        }
        return text
    }
}

enum KCFConfLimits {
    /// Bounds what a reader will take in: a real kcf.conf is a few hundred bytes.
    static let maxFileBytes = 1 << 20
    static let maxLineBytes = 64 << 10
    static let header = """
        # kcf.conf: cryptographic framework policy (see cryptoadm).
        # One line per provider: NAME:disabledlist=MECH[,MECH]...[;unload]
        # A PKCS#11 module's line installs it: /PATH.so:[disabledlist=...][;pinfile=/PATH][;slot=N][;token=LABEL]
        # cryptoadm rewrites this file; comments other than this header are not kept.

        """
}

/// One pass over the bytes of one file; positions are byte offsets into `bytes`.
private struct KCFConfParser {
    let bytes: [UInt8]
    let fileName: String
    /// Current line: its number and the byte range it covers (without the '\n').
    private var lineNumber = 0
    private var lineStart = 0
    private var lineEnd = 0
    private var position = 0
    /// Line of each provider's entry, for the duplicate-entry message.
    private var seen: [String: Int] = [:]

    init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    mutating func parse() throws -> Policy {
        if bytes.count > KCFConfLimits.maxFileBytes {
            locate(offset: KCFConfLimits.maxFileBytes)
            throw failure(at: KCFConfLimits.maxFileBytes,
                          "file is over the limit of \(KCFConfLimits.maxFileBytes) bytes (1 MiB)")
        }
        var policy = Policy()
        lineStart = 0
        lineNumber = 1
        while lineStart <= bytes.count {
            lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            try checkEncoding()
            position = lineStart
            if let (name, entry) = try parseLine() {
                policy[provider: name] = entry
            }
            lineStart = lineEnd + 1
            lineNumber += 1
        }
        return policy
    }

    // MARK: Bytes

    /// Line length, NUL bytes and UTF-8 validity, before any token is read.
    private func checkEncoding() throws {
        if lineEnd - lineStart > KCFConfLimits.maxLineBytes {
            throw failure(at: lineStart + KCFConfLimits.maxLineBytes,
                          "line is \(lineEnd - lineStart) bytes, over the limit of \(KCFConfLimits.maxLineBytes) bytes (64 KiB)")
        }
        var i = lineStart
        while i < lineEnd {
            let b = bytes[i]
            if b == 0 { throw failure(at: i, "NUL byte") }
            if b < 0x80 { i += 1; continue }
            let length = Self.utf8SequenceLength(bytes, at: i, end: lineEnd)
            if length == 0 {
                throw failure(at: i, "invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true))")
            }
            i += length
        }
    }

    /// Length of the well-formed UTF-8 sequence at `i` (Unicode Table 3-7), or 0.
    private static func utf8SequenceLength(_ bytes: [UInt8], at i: Int, end: Int) -> Int {
        let b0 = bytes[i]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F  // no surrogates
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F  // nothing above U+10FFFF
        default: return 0
        }
        guard i + length <= end else { return 0 }
        guard (low...high).contains(bytes[i + 1]) else { return 0 }
        for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return 0 }
        return length
    }

    // MARK: Lines

    private mutating func parseLine() throws -> (String, ProviderPolicy)? {
        skipSpace()
        if atEndOfContent { return nil }
        let entryLine = lineNumber
        let nameStart = position
        let name = try parseProviderName()
        skipSpace()
        guard current == UInt8(ascii: ":") else {
            throw failure(at: position, "expected ':' after provider name '\(name)'")
        }
        position += 1
        if let first = seen[name] {
            throw failure(at: nameStart, "provider '\(name)' already has an entry on line \(first)")
        }
        seen[name] = entryLine

        var entry = ProviderPolicy()
        var sawDisabledList = false
        let isModule = ProviderKind(providerName: name) == .pkcs11Module
        skipSpace()
        if isModule && atEndOfContent { return (name, entry) }
        repeat {
            skipSpace()
            let optionStart = position
            let word = scanWhile { Self.isWordByte($0) }
            switch word {
            case "unload":
                if entry.unloaded { throw failure(at: optionStart, "'unload' given twice") }
                let kind = ProviderKind(providerName: name)
                guard kind == .software else {
                    let what = kind == .hardware ? "a hardware provider" : "a PKCS#11 module"
                    throw failure(at: optionStart, "'unload' applies only to software providers; '\(name)' is \(what)")
                }
                entry.unloaded = true
            case "disabledlist":
                if sawDisabledList { throw failure(at: optionStart, "'disabledlist' given twice") }
                sawDisabledList = true
                skipSpace()
                guard current == UInt8(ascii: "=") else {
                    throw failure(at: position, "expected '=' after 'disabledlist'")
                }
                position += 1
                entry.disabled = try parseMechanismList()
            case "pinfile", "slot", "token":
                guard isModule else {
                    throw failure(at: optionStart, "'\(word)' applies only to PKCS#11 modules; '\(name)' is not a module path")
                }
                try parseModuleOption(word, at: optionStart, into: &entry)
            case "":
                throw failure(at: optionStart, atEndOfContent || current == UInt8(ascii: ";")
                              ? "expected an option ('disabledlist=…' or 'unload')"
                              : "unexpected character \(describeCurrent()); expected an option")
            default:
                let expected = isModule ? "'disabledlist', 'pinfile', 'slot' or 'token'" : "'disabledlist' or 'unload'"
                throw failure(at: optionStart, "unknown option '\(word)' (expected \(expected))")
            }
            skipSpace()
        } while consume(UInt8(ascii: ";"))
        guard atEndOfContent else {
            throw failure(at: position, "unexpected character \(describeCurrent()); expected ';', '#' or end of line")
        }
        return (name, entry)
    }

    /// `pinfile=/abs/path`, `slot=N` or `token=LABEL` after its keyword.
    private mutating func parseModuleOption(_ word: String, at optionStart: Int, into entry: inout ProviderPolicy) throws {
        let given = switch word {
        case "pinfile": entry.pinFile != nil
        case "slot": entry.slot != nil
        default: entry.tokenLabel != nil
        }
        if given { throw failure(at: optionStart, "'\(word)' given twice") }
        skipSpace()
        guard consume(UInt8(ascii: "=")) else { throw failure(at: position, "expected '=' after '\(word)'") }
        skipSpace()
        let start = position
        switch word {
        case "pinfile":
            let path = scanWhile { !Self.isSpace($0) && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "#") }
            guard path.hasPrefix("/") else { throw failure(at: start, "pinfile must be an absolute path") }
            if let bad = bytes[start..<position].firstIndex(where: { $0 < 0x20 || $0 == 0x7F }) {
                throw failure(at: bad, "invalid character \(describe(at: bad)) in pinfile path")
            }
            entry.pinFile = path
        case "slot":
            let digits = scanWhile { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            guard !digits.isEmpty else { throw failure(at: start, "expected a slot number after 'slot='") }
            guard digits.count <= 9, let slot = Int(digits) else { throw failure(at: start, "slot number is too long") }
            entry.slot = slot
        default:
            let label = scanWhile { Self.isWordByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
            guard !label.isEmpty else { throw failure(at: start, "expected a token label after 'token=' (A-Z a-z 0-9 _ . -)") }
            guard label.utf8.count <= 32 else { throw failure(at: start, "token label is longer than 32 bytes") }
            entry.tokenLabel = label
        }
    }

    private mutating func parseProviderName() throws -> String {
        let start = position
        let name = scanWhile { !Self.isSpace($0) && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "#") }
        if name.isEmpty {
            throw failure(at: start, "empty provider name")
        }
        let nameBytes = bytes[start..<position]
        if nameBytes.first == UInt8(ascii: "/") {
            try checkModulePath(nameBytes)
        } else if let slash = nameBytes.firstIndex(of: UInt8(ascii: "/")) {
            try checkSoftwareName(nameBytes[..<slash], of: name)
            let instance = nameBytes[(slash + 1)...]
            if instance.isEmpty {
                throw failure(at: slash + 1, "hardware provider '\(name)' has no instance number after '/'")
            }
            if let bad = instance.firstIndex(where: { !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
                throw failure(at: bad, "invalid character \(describe(at: bad)) in instance number of '\(name)' (expected decimal digits)")
            }
            if instance.count > 9 {
                throw failure(at: slash + 1, "instance number of '\(name)' is too long")
            }
        } else {
            try checkSoftwareName(nameBytes, of: name)
        }
        return name
    }

    private func checkSoftwareName(_ part: ArraySlice<UInt8>, of name: String) throws {
        if part.isEmpty { throw failure(at: part.startIndex, "empty provider name before '/' in '\(name)'") }
        if let bad = part.firstIndex(where: { !Self.isNameByte($0) }) {
            throw failure(at: bad, "invalid character \(describe(at: bad)) in provider name '\(name)' (allowed: a-z 0-9 _ . -)")
        }
    }

    /// An absolute path whose last component ends in `.so` or `.so.N`.
    private func checkModulePath(_ path: ArraySlice<UInt8>) throws {
        if let bad = path.firstIndex(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw failure(at: bad, "invalid character \(describe(at: bad)) in module path")
        }
        let text = String(decoding: path, as: UTF8.self)
        let file = text.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        var isLibrary = file.hasSuffix(".so") && file.count > 3
        if !isLibrary, let range = file.range(of: ".so.", options: .backwards), range.lowerBound > file.startIndex {
            let version = file[range.upperBound...]
            isLibrary = !version.isEmpty && version.allSatisfy { ("0"..."9").contains($0) }
        }
        if !isLibrary {
            throw failure(at: path.startIndex, "module path '\(text)' does not name a shared library (.so or .so.N)")
        }
    }

    private mutating func parseMechanismList() throws -> Set<Mechanism> {
        var list = Set<Mechanism>()
        repeat {
            skipSpace()
            let start = position
            let word = scanWhile { Self.isWordByte($0) }
            if word.isEmpty {
                if list.isEmpty, atEndOfContent || current == UInt8(ascii: ";") {
                    throw failure(at: start, "empty disabledlist (name at least one mechanism)")
                }
                throw failure(at: start, atEndOfContent || current == UInt8(ascii: ",") || current == UInt8(ascii: ";")
                              ? "missing mechanism name in disabledlist"
                              : "unexpected character \(describeCurrent()) in disabledlist")
            }
            guard let mechanism = Mechanism(name: word) else {
                throw failure(at: start, "unknown mechanism '\(word)'")
            }
            guard list.insert(mechanism).inserted else {
                throw failure(at: start, "mechanism '\(word)' listed twice")
            }
            skipSpace()
        } while consume(UInt8(ascii: ","))
        return list
    }

    // MARK: Scanning

    private var current: UInt8? { position < lineEnd ? bytes[position] : nil }

    /// End of line, or the start of a comment.
    private var atEndOfContent: Bool { current == nil || current == UInt8(ascii: "#") }

    private mutating func skipSpace() {
        while let b = current, Self.isSpace(b) { position += 1 }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        position += 1
        return true
    }

    private mutating func scanWhile(_ accept: (UInt8) -> Bool) -> String {
        let start = position
        while let b = current, accept(b) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private static func isSpace(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r")
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// Characters of option and mechanism names (`disabledlist`, `CKM_SHA256`, `random`).
    private static func isWordByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    // MARK: Errors

    private func describeCurrent() -> String {
        position < lineEnd ? describe(at: position) : "end of line"
    }

    /// A character for a message: quoted if printable ASCII, else its code point.
    private func describe(at offset: Int) -> String {
        let b = bytes[offset]
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        if b < 0x80 { return "U+\(hex(UInt32(b)))" }
        let length = Self.utf8SequenceLength(bytes, at: offset, end: lineEnd)
        guard length > 0, let scalar = String(decoding: bytes[offset..<offset + length], as: UTF8.self).unicodeScalars.first
        else { return "0x\(hex(UInt32(b)))" }
        return "U+\(hex(scalar.value))"
    }

    private func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Sets the current line to the one holding `offset` (for whole-file errors).
    private mutating func locate(offset: Int) {
        lineNumber = 1 + bytes[..<offset].lazy.filter { $0 == UInt8(ascii: "\n") }.count
        lineStart = (bytes[..<offset].lastIndex(of: UInt8(ascii: "\n"))).map { $0 + 1 } ?? 0
        lineEnd = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
    }

    /// The error for a problem at byte `offset` of the current line. The column
    /// counts scalars: every byte that does not continue a UTF-8 sequence
    /// (the prefix before `offset` has already been validated).
    private func failure(at offset: Int, _ what: String) -> CryptoError {
        let column = 1 + bytes[lineStart..<offset].lazy.filter { $0 & 0xC0 != 0x80 }.count
        return CryptoError(.policyInvalid, "\(fileName):\(lineNumber):\(column): \(what)")
    }
}
