import NIOCore

/// How large a datagram a UDP channel reads whole. SwiftNIO's datagram
/// channels read into a fixed 2048-byte buffer unless told otherwise, and a
/// longer datagram is cut to it without a word (a Main Mode message with a
/// certificate chain is longer). One byte more than the largest message
/// accepted, marker included: a read that fills the buffer was too long,
/// and the receiver refuses it rather than parse a truncated message.
enum DatagramReceiveBuffer {
    static func capacity(maxMessageBytes: Int) -> Int {
        maxMessageBytes + NonESPMarker.bytes.count + 1
    }

    /// The read buffer for `messages` datagrams per read: SwiftNIO's vector
    /// read (`recvmmsg`) cuts one buffer into that many equal slices.
    static func allocator(maxMessageBytes: Int, messages: Int = 1) -> FixedSizeRecvByteBufferAllocator {
        FixedSizeRecvByteBufferAllocator(capacity: capacity(maxMessageBytes: maxMessageBytes) * max(1, messages))
    }

    /// Whether a read of `count` bytes may have been cut short.
    static func isOversize(_ count: Int, maxMessageBytes: Int) -> Bool {
        count >= capacity(maxMessageBytes: maxMessageBytes)
    }
}
