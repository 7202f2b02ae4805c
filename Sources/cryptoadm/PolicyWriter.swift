@_spi(Testing) import CryptoFramework
import Foundation

/// Every change cryptoadm makes goes through `PolicyStore.update`: locked,
/// re-read, written to a temp file, synced and renamed into place.
struct PolicyWriter {
    let store: PolicyStore
    let pauseBeforeRename: Bool

    init(_ options: PolicyOptions) {
        store = options.store
        pauseBeforeRename = options.pauseBeforeRename
    }

    /// Applies `change`; entries left saying nothing are dropped from the file,
    /// as Solaris removes a provider's line when everything is enabled again.
    func update(_ change: (inout Policy) throws -> Void) throws {
        let hook: (() throws -> Void)? = pauseBeforeRename ? Self.pause : nil
        try store.update({ policy in
            try change(&policy)
            policy.removeDefaultEntries()
        }, beforeRename: hook)
    }

    /// `--debug-pause-before-rename`: announce, then wait to be killed (a test
    /// SIGKILLs here); after 30 s carry on, so a stray use does no harm. A
    /// blocking sleep: cryptoadm is synchronous, this is its main thread.
    private static func pause() {
        StandardError.write("cryptoadm: debug: paused before rename\n")
        Thread.sleep(forTimeInterval: 30)
    }
}
