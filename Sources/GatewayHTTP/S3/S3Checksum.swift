import Crypto
import Foundation

/// The flexible checksums S3 SDKs send (`x-amz-checksum-<algorithm>`, base64 of the digest),
/// computed as the body streams. With a trailing checksum and an unsigned payload it is the
/// only integrity check a body has, so it is checked; an algorithm not known here is not.
struct S3Checksum {
    enum Algorithm: String {
        case crc32, crc32c, sha1, sha256
    }

    let algorithm: Algorithm
    private var crc: UInt32 = 0xFFFF_FFFF
    private var sha1 = Insecure.SHA1()
    private var sha256 = SHA256()

    /// For a header or trailer name such as `x-amz-checksum-crc32`.
    init?(header: String) {
        guard header.lowercased().hasPrefix("x-amz-checksum-"),
              let algorithm = Algorithm(rawValue: String(header.lowercased().dropFirst("x-amz-checksum-".count)))
        else { return nil }
        self.algorithm = algorithm
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch algorithm {
        case .crc32: crc = Self.crc(crc, bytes, Self.crc32Table)
        case .crc32c: crc = Self.crc(crc, bytes, Self.crc32cTable)
        case .sha1: sha1.update(bufferPointer: bytes)
        case .sha256: sha256.update(bufferPointer: bytes)
        }
    }

    /// The digest as S3 writes it: base64 of its big-endian bytes.
    func finish() -> String {
        switch algorithm {
        case .crc32, .crc32c:
            let value = ~crc
            return Data([UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
                .base64EncodedString()
        case .sha1: return Data(sha1.finalize()).base64EncodedString()
        case .sha256: return Data(sha256.finalize()).base64EncodedString()
        }
    }

    static func crc(_ start: UInt32, _ bytes: UnsafeRawBufferPointer, _ table: [UInt32]) -> UInt32 {
        var crc = start
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc
    }

    static func table(_ polynomial: UInt32) -> [UInt32] {
        (0..<256).map { n in
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 == 1 ? polynomial ^ (c >> 1) : c >> 1 }
            return c
        }
    }

    static let crc32Table = table(0xEDB8_8320)
    static let crc32cTable = table(0x82F6_3B78)
}
