import FuzzTargets

#if canImport(Glibc)
import Glibc
#endif

/// The target this process fuzzes, from $FUZZ_TARGET (Fuzz/run sets it).
let target: FuzzTarget = {
    let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget.named(name) else {
        fputs("cf-fuzz: FUZZ_TARGET=\(name) is no target; known: \(FuzzTarget.all.map(\.name).joined(separator: ", "))\n", stderr)
        exit(2)
    }
    return target
}()

/// libFuzzer's entry point: one input. An unexpected outcome aborts, so
/// libFuzzer saves the input as a crash and reports it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if case .unexpected(let what) = target.run(input) {
        fputs("cf-fuzz \(target.name): \(what)\n", stderr)
        abort()
    }
    return 0
}
