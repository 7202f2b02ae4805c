import CryptoFramework
import Providers
import Testing

/// One provider of one platform as the differential suite drives it: through
/// the framework pinned to it (the rules, then the provider) and directly
/// (the provider's own path alone, as an application of the SPI could).
struct DifferentialParticipant: Sendable {
    let label: String
    let view: CryptoFramework
    let provider: any CryptoProvider

    func serves(_ request: CryptoRequest) -> Bool {
        guard let info = provider.descriptor.info(for: request.mechanism) else { return false }
        return info.flags.contains(request.requiredFlag) && info.accepts(keyBits: request.keyBits, curve: request.curve)
    }
}

/// What a request came to, in a form the providers can agree on: the value,
/// the verdict, or the error code. A PSS or ECDSA signature is random, so its
/// value is replaced by whether it verifies (checked by the reference provider).
enum DifferentialOutcome: Hashable, CustomStringConvertible {
    case value([UInt8])
    case verified(Bool)
    case error(CryptoError.Code)
    case validRandomizedSignature
    case invalidRandomizedSignature
    case unexpected(String)

    var description: String {
        switch self {
        case .value(let v): "value \(v.prefix(6).map { String(format: "%02x", $0) }.joined())…(\(v.count) bytes)"
        case .verified(let ok): ok ? "true" : "false"
        case .error(let code): code.rawValue
        case .validRandomizedSignature: "a PSS or ECDSA signature that verifies"
        case .invalidRandomizedSignature: "a PSS or ECDSA signature that does NOT verify"
        case .unexpected(let what): "unexpected \(what)"
        }
    }
}

/// Every provider of every platform (host with SoftHSM2 installed, t2000), once per process.
enum DifferentialParticipants {
    static let softHSMLabel = "host/softhsm2"

    static let all: Result<[DifferentialParticipant], SoftHSMToken.SetupError> = {
        do {
            let host = try SoftHSMToken.framework()
            let t2000 = try CryptoFramework(platform: .t2000, policy: .inMemory(Policy()))
            var participants: [DifferentialParticipant] = []
            for (platform, fw) in [("host", host), ("t2000", t2000)] {
                for descriptor in fw.providers {
                    guard let provider = fw.provider(named: descriptor.name) else { continue }
                    let label = descriptor.name == SoftHSMToken.modulePath ? softHSMLabel : "\(platform)/\(descriptor.name)"
                    participants.append(DifferentialParticipant(label: label, view: try fw.pinned(to: descriptor.name), provider: provider))
                }
            }
            return .success(participants)
        } catch let error as SoftHSMToken.SetupError {
            return .failure(error)
        } catch {
            return .failure(SoftHSMToken.SetupError(description: "differential participants: \(error)"))
        }
    }()

    static func require() throws -> [DifferentialParticipant] { try all.get() }

    /// The reference that makes keys and valid signatures, and judges PSS signatures.
    static var reference: CryptoFramework { get throws { try require().first { $0.label == "host/openssl" }!.view } }
}

/// One request with the name a failure prints, and the documented answer where the rules fix one.
struct DifferentialCase: CustomStringConvertible {
    let name: String
    let request: CryptoRequest
    var expected: DifferentialOutcome? = nil

    var description: String { name }

    /// Runs the request on every participant that serves it, both ways, and
    /// returns a failure text naming who said what, or nil when all agree
    /// (and agree with `expected`, when there is one).
    func disagreement(among participants: [DifferentialParticipant], reference: CryptoFramework) -> String? {
        var answers: [(String, DifferentialOutcome)] = []
        for participant in participants where participant.serves(request) {
            answers.append((participant.label, outcome(Result { try participant.view.perform(request).value }, reference)))
            answers.append((participant.label + " (direct)", outcome(Result {
                try participant.provider.perform(request, context: OperationContext())
            }, reference)))
        }
        guard answers.count >= 2 else { return "\(name): fewer than two providers serve it (\(answers.map(\.0)))" }
        let distinct = Set(answers.map(\.1))
        if distinct.count == 1, expected == nil || distinct.first == expected { return nil }
        var grouped: [DifferentialOutcome: [String]] = [:]
        for (who, what) in answers { grouped[what, default: []].append(who) }
        let said = grouped.map { "\($0.value.joined(separator: ", ")) said \($0.key)" }.sorted().joined(separator: "; ")
        let wanted = expected.map { " (the documented answer is \($0))" } ?? ""
        return "\(name)\(wanted): \(said)"
    }

    private func outcome(_ result: Result<CryptoResult, any Error>, _ reference: CryptoFramework) -> DifferentialOutcome {
        switch result {
        case .failure(let error as CryptoError): return .error(error.code)
        case .failure(let error): return .unexpected("error \(error)")
        case .success(.verified(let ok)): return .verified(ok)
        case .success(.secret(let secret)): return .value(secret.bytes)
        case .success(.bytes(let bytes)):
            let ok: Bool
            switch request {
            case .sign(let mechanism, let key, let data, let pss) where RSAScheme(mechanism).map(Self.pssKind) == .pss:
                ok = (try? reference.verify(mechanism, key: key.publicKey, data: data, signature: bytes, pss: pss)) ?? false
            case .signEC(let mechanism, let key, let data) where mechanism != .eddsa:
                ok = (try? key.publicKey.map { try reference.verify(mechanism, key: $0, data: data, signature: bytes) }) == true
            default:
                return .value(bytes)
            }
            return ok ? .validRandomizedSignature : .invalidRandomizedSignature
        case .success(let other): return .unexpected("result \(other)")
        }
    }

    private enum SchemeKind { case pss, fixed }
    private static func pssKind(_ scheme: RSAScheme) -> SchemeKind {
        switch scheme {
        case .pss, .pssHashed: .pss
        case .raw, .pkcs1, .pkcs1Hashed: .fixed
        }
    }
}
