import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import Providers
import TestSupport

/// Frameworks and keys the IKE tests share (RSA keys are made once).
package enum IKETestSupport {
    package static let initiatorFramework: CryptoFramework = try! MainModeNegotiation.initiatorFramework()
    package static let host: CryptoFramework = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))
    package static let t2000: CryptoFramework = try! CryptoFramework(platform: .t2000, policy: .inMemory(Policy()))

    package static let identities: IKEIdentities = {
        let fw = initiatorFramework
        return IKEIdentities(initiator: try! fw.generateRSAKeyPair(bits: 1024), responder: try! fw.generateRSAKeyPair(bits: 1024))
    }()

    package static func suite(_ group: Int = 2, _ prf: IKESuite.PRF = .sha1, _ cipher: IKESuite.Cipher = .des3) -> IKESuite {
        IKESuite(group: DHGroup.ike(group)!, prf: prf, cipher: cipher)
    }

    /// An initiator and a responder wired by hand, so a test can alter any message on the way.
    package struct Pair {
        package let initiator: MainModeInitiator
        package let responder: MainModeResponder
        /// What message 5 gets wrong on purpose.
        package var fault: Message5Fault = .none

        package init(suite: IKESuite, responderFramework: CryptoFramework = IKETestSupport.host) {
            let ids = IKETestSupport.identities
            initiator = MainModeInitiator(
                suite: suite, session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
                identity: ids.initiator, responderKey: ids.responder.publicKey, id: IKEIdentities.initiatorID)
            responder = MainModeResponder(
                suite: suite, session: IKECryptoSession(framework: responderFramework), identity: ids.responder,
                initiatorKey: ids.initiator.publicKey, id: IKEIdentities.responderID)
        }

        /// Runs the exchange, passing messages 1, 3 and 5 through `alter` (given the message number).
        package func run(alter: ([UInt8], Int) throws -> [UInt8] = { m, _ in m }) async throws {
            let m2 = try await responder.receive(try alter(initiator.start(), 1))
            let m4 = try await responder.receive(try alter(try await initiator.message3(after: m2), 3))
            let m6 = try await responder.receive(try alter(try await initiator.message5(after: m4, fault: fault), 5))
            try await initiator.finish(m6)
        }
    }
}

