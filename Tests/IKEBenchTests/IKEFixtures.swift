import Foundation
import IKETestKit

extension IKETestSupport {
    /// A file of this test target's Fixtures.
    static func fixtureURL(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
    }
}
