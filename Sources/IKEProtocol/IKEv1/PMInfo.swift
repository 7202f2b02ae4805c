import Synchronization

/// A per-negotiation handle for --trace, shaped like the kernel address the
/// 2007 script printed for in.iked's `pm_info` (phase 1 state).
public enum PMInfo {
    private static let counter = Atomic<UInt64>(0)
    public static func next() -> String {
        "0x" + String(0x3000_0000 + counter.add(1, ordering: .relaxed).newValue * 0x1A0, radix: 16)
    }
}
