import CryptoFramework
import Testing

/// Expects `body` to throw `CryptoError(code)` whose message mentions
/// `fragment` (case-insensitive), and records an issue otherwise.
public func expectCryptoError(
    _ code: CryptoError.Code, mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(code) mentioning \"\(fragment)\", but it was accepted", sourceLocation: sourceLocation)
    } catch let error as CryptoError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.localizedCaseInsensitiveContains(fragment), "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected CryptoError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
}
