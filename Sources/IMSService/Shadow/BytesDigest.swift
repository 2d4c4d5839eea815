import Crypto
import Foundation
import NIOCore

/// The size and MD5 of bytes as they stream past (the digest the stores keep for an image's
/// file), so two downloads are compared without holding either.
struct BytesDigest: Sendable, Equatable {
    private var md5 = Insecure.MD5()
    private(set) var size: Int64 = 0

    mutating func add(_ chunk: ByteBuffer) {
        chunk.withUnsafeReadableBytes { md5.update(bufferPointer: $0) }
        size += Int64(chunk.readableBytes)
    }

    /// `size md5`, for a record of differences.
    var text: String {
        "\(size) bytes, MD5 " + md5.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func == (a: BytesDigest, b: BytesDigest) -> Bool { a.text == b.text }
}
