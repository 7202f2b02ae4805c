import CryptoFramework
import Dispatch
import IKEProtocol
import Providers

extension FuzzTarget {
    /// The IKEv2 parser and SK protection (Sources/IKEProtocol/IKEv2). The
    /// first byte picks what the rest is: 0, a whole message (header, payload
    /// chain, SA proposals and transforms, an SK or SKF payload's framing);
    /// 1, a decrypted payload chain whose first payload type is the second
    /// byte; 2, a message opened with ``IKEv2FuzzKeys`` (a fixed IKE SA:
    /// ICV, decryption, padding, then the inner chain), SK or SKF; 3, the
    /// same with the fixed AES-GCM-16 SA (``IKEv2FuzzKeys/gcm``: tag over the
    /// header as associated data, decryption, pad length, inner chain).
    public static let ikev2 = FuzzTarget(name: "ikev2") { input in
        guard let mode = input.first else { return .refused }
        do {
            switch mode {
            case 0:
                _ = try IKEv2Message.parse(Array(input.dropFirst()))
            case 1:
                guard input.count >= 2 else { return .refused }
                _ = try IKEv2PayloadChain.parse(first: input[1], input[2...], context: "fuzz chain")
            case 2:
                let message = Array(input.dropFirst())
                let parsed = try IKEv2Message.parse(message)
                try IKEv2FuzzKeys.open(message, parsed)
            case 3:
                let message = Array(input.dropFirst())
                let parsed = try IKEv2Message.parse(message)
                try IKEv2FuzzKeys.gcm.open(message, parsed)
            default:
                return .refused
            }
            return .accepted
        } catch is IKEv2Error {
            return .refused
        } catch {
            return .unexpected("IKEv2 code threw \(error), not an IKEv2Error")
        }
    }
}

/// A fixed IKE SA (aes128-sha256-modp2048 keys from constant nonces, SPIs and
/// shared secret, derived once per process on the host platform) whose
/// responder side opens mode-2 inputs; seeds are sealed by its initiator side.
/// ``gcm`` is the same for aes256gcm16-prfsha384-modp2048 (mode 3).
public enum IKEv2FuzzKeys {
    public static let suite = IKEv2Suite(proposalName: "aes128-sha256-modp2048")!
    public static let session = IKECryptoSession(framework: try! CryptoFramework(platform: .host, policy: .inMemory(Policy())))
    public static let initiatorSPI: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
    public static let responderSPI: [UInt8] = [9, 10, 11, 12, 13, 14, 15, 16]

    /// One fixed SA of `suite`: its keys and both sides' protection.
    public struct FixedSA: Sendable {
        public let suite: IKEv2Suite
        public let keys: IKEv2Keys

        init(_ suite: IKEv2Suite) {
            self.suite = suite
            keys = try! IKEv2FuzzKeys.blocking {
                try await IKEv2KeyDerivation.derive(suite, sharedSecret: SecureBytes([UInt8](repeating: 0x5A, count: 256)),
                                                    initiatorNonce: [UInt8](repeating: 1, count: 32), responderNonce: [UInt8](repeating: 2, count: 32),
                                                    initiatorSPI: IKEv2FuzzKeys.initiatorSPI, responderSPI: IKEv2FuzzKeys.responderSPI,
                                                    session: IKEv2FuzzKeys.session)
            }
            initiator = IKEv2Protection(suite: suite, keys: keys, isInitiator: true)
            responder = IKEv2Protection(suite: suite, keys: keys, isInitiator: false)
        }

        /// The initiator's side: what seeds are sealed with (one value, so GCM's IV counter runs on).
        public let initiator: IKEv2Protection
        let responder: IKEv2Protection

        func open(_ message: [UInt8], _ parsed: IKEv2Message) throws {
            let responder = self.responder
            let session = IKEv2FuzzKeys.session
            try IKEv2FuzzKeys.blocking {
                if case .fragment(_, let total, let first, let body)? = parsed.payloads.last {
                    let plain = try await responder.openPlain(message, skBody: body, session: session)
                    // One fragment of several holds only part of the chain; a whole one is parsed.
                    if total == 1 { _ = try IKEv2PayloadChain.parse(first: first, plain[...], context: "fragment") }
                } else {
                    _ = try await responder.open(message, parsed: parsed, session: session)
                }
            }
        }
    }

    static let cbc = FixedSA(suite)
    /// The AES-GCM-16 SA of mode 3.
    public static let gcm = FixedSA(IKEv2Suite(proposalName: "aes256gcm16-prfsha384-modp2048")!)

    public static var keys: IKEv2Keys { cbc.keys }
    /// The initiator's side: what seeds are sealed with.
    public static var initiator: IKEv2Protection { cbc.initiator }

    static func open(_ message: [UInt8], _ parsed: IKEv2Message) throws { try cbc.open(message, parsed) }

    /// Runs `work` to its end from synchronous code (the fuzz entry points are
    /// synchronous; the replay runs them on a dedicated thread). Never call it
    /// from a cooperative thread: the detached task needs one to run.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Locked<Result<T, any Error>?>(nil)
        Task.detached {
            let r: Result<T, any Error>
            do { r = .success(try await work()) } catch { r = .failure(error) }
            result.withLock { $0 = r }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
