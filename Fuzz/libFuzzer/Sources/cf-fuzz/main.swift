import CLibFuzzerDriver
import FuzzTargets

#if canImport(Glibc)
import Glibc
#endif

/// A line on standard error (fd 2: the C `stderr` global is not concurrency-safe in Swift 6).
func report(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// The target this process fuzzes, from $FUZZ_TARGET (Fuzz/run sets it).
let target: FuzzTarget = {
    let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget.named(name) else {
        report("cf-fuzz: FUZZ_TARGET=\(name) is no target; known: \(FuzzTarget.all.map(\.name).joined(separator: ", "))")
        exit(2)
    }
    return target
}()

/// One input. An unexpected outcome aborts, so libFuzzer saves the input as
/// a crash and reports it.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if case .unexpected(let what) = target.run(input) {
        report("cf-fuzz \(target.name): \(what)")
        abort()
    }
    return 0
}

// SwiftPM gives an executable its own main, so libFuzzer's is not used: its
// driver runs from here with the command line as libFuzzer would have seen it.
_ = target
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
