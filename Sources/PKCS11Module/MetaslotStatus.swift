internal import CPKCS11
import CryptoFramework
import Foundation
import Providers

/// The module's slot as applications see it, for `cryptoadm list -v` (Solaris
/// prints the metaslot's status there): the platform, the token in the
/// keystore, and the mechanism list computed exactly as C_GetMechanismList
/// computes it, under the given policy.
public enum MetaslotStatus {
    public static func text(policy: PolicySource, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let name = FrameworkEnvironment.platform.value(in: environment) ?? Platform.host.name
        var text = "\nMeta slot (libCryptoFrameworkPKCS11.so, as applications see it):\n"
        guard let platform = Platform.named(name) else {
            return text + "\tstatus: unusable: \(FrameworkEnvironment.platform.name)=\(name) is not a platform\n"
        }
        let framework: CryptoFramework
        do {
            framework = try CryptoFramework(platform: platform, policy: policy)
        } catch {
            return text + "\tstatus: unusable: \(error)\n"
        }
        let keystore = Keystore(directory: Keystore.defaultDirectory(environment: environment))
        text += "\tstatus: enabled\n\tplatform: \(platform.name)\n"
        text += "\tslot \(Module.slotID): CryptoFramework metaslot, token present\n"
        switch Result(catching: { () throws(CryptokiError) in try keystore.readToken() }) {
        case .success(let record?):
            let files = keystore.objectNames()
            let unreadable = files.filter { name in
                if case .corrupt = keystore.readObject(name, masterKey: nil) { return true }
                return false
            }
            let pin = record.userPINInitialized ? "user PIN set" : "user PIN not set"
            text += "\ttoken: \"\(String(decoding: record.label, as: UTF8.self))\", \(pin), \(files.count) objects"
            text += unreadable.isEmpty ? "\n" : " (unreadable, left as they are: \(unreadable.joined(separator: ", ")))\n"
        case .success(nil):
            text += "\ttoken: not initialized\n"
        case .failure:
            text += "\ttoken: the token record cannot be read\n"
        }
        text += "\tkeystore: \(keystore.directory)\n"
        let mechanisms = MetaslotMechanisms.current(framework, reload: false)
        text += "\tmechanisms: \(mechanisms.count): \(mechanisms.map(\.name).joined(separator: ","))\n"
        return text
    }
}
