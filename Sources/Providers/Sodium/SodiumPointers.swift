// libsodium's pointers are non-null; every buffer passed here is a fixed-size
// key, signature or digest (or a data buffer, which may be empty and is read
// through a Swift array instead), so its base address exists.
extension UnsafeRawBufferPointer {
    var fixedSizeBytes: UnsafePointer<UInt8> { baseAddress!.assumingMemoryBound(to: UInt8.self) }
}

extension UnsafeMutableRawBufferPointer {
    var fixedSizeBytes: UnsafeMutablePointer<UInt8> { baseAddress!.assumingMemoryBound(to: UInt8.self) }
}
