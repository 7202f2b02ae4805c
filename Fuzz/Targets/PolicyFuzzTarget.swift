import CryptoFramework

extension FuzzTarget {
    /// The kcf.conf parser (Sources/CryptoFramework/Registry/PolicyFile.swift):
    /// refusal is a `policyInvalid` CryptoError; an accepted file must write
    /// out as text that parses back to the same policy.
    public static let kcfConf = FuzzTarget(name: "kcfconf") { input in
        let policy: Policy
        do {
            policy = try Policy(kcfConfBytes: input)
        } catch let error as CryptoError where error.code == .policyInvalid {
            return .refused
        } catch {
            return .unexpected("kcf.conf parser threw \(error)")
        }
        do {
            let again = try Policy(kcfConf: policy.kcfConfText)
            return again == policy ? .accepted : .unexpected("kcf.conf round trip changed the policy:\n\(policy.kcfConfText)")
        } catch {
            return .unexpected("kcf.conf written from a parsed policy does not parse: \(error)\n\(policy.kcfConfText)")
        }
    }
}
