import Foundation
import Synchronization

/// Providers already tried for one request (rule 3), as a bit set that grows
/// if the provider set does while the request is in flight. The first 64
/// providers (every platform's, and most module sets) live inline, so a
/// request allocates nothing for it.
struct TriedSet: ~Copyable {
    private var first: UInt64 = 0
    private var more: [UInt64] = []
    init() {}
    func contains(_ i: Int) -> Bool {
        if i < 64 { return first & (1 << UInt64(i)) != 0 }
        let word = (i >> 6) - 1
        return word < more.count && more[word] & (1 << UInt64(i & 63)) != 0
    }
    mutating func insert(_ i: Int) {
        if i < 64 {
            first |= 1 << UInt64(i)
            return
        }
        let word = (i >> 6) - 1
        while word >= more.count { more.append(0) }
        more[word] |= 1 << UInt64(i & 63)
    }
}
