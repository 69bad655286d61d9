// HeraldFuzz: libFuzzer targets for Herald's parsers, one binary with a dispatcher.
//
//     HeraldFuzz TARGET [libFuzzer options] [corpus folders]
//     HeraldFuzz --list
//
// Built only by `scripts/fuzz` (HERALD_FUZZ=1 adds this target to the package, and the build passes
// -sanitize=fuzzer,address); the package's ordinary build never sees it. libFuzzer's own `main` is linked in
// as well, but this file's entry point is the program's (SwiftPM points `main` at it), and it hands the
// selected target to libFuzzer through `LLVMFuzzerRunDriver`.
#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's driver, as a library call: it parses the (remaining) arguments as usual and calls `callback` for
/// every input.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target libFuzzer runs; set once, before the driver starts.
nonisolated(unsafe) var selectedTarget: (([UInt8]) -> Void)?

let arguments = CommandLine.arguments
if arguments.count >= 2, arguments[1] == "--list" {
    for name in FuzzTargets.all.keys.sorted() { print(name) }
    exit(0)
}
guard arguments.count >= 2, let target = FuzzTargets.all[arguments[1]] else {
    let known = FuzzTargets.all.keys.sorted().joined(separator: ", ")
    print("usage: HeraldFuzz TARGET [libFuzzer options] [corpus folders]\ntargets: \(known)")
    exit(64)
}
selectedTarget = target

// The program's name, then everything after the target's name: what libFuzzer reads.
var cArguments: [UnsafeMutablePointer<CChar>?] = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) } + [nil]
var argc = CInt(cArguments.count - 1)
let status = cArguments.withUnsafeMutableBufferPointer { buffer -> CInt in
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        selectedTarget?(bytes)
        return 0
    }
}
exit(status)
