import Crypto
import Foundation
import IMSService
import NIOCore

/// What checks a chunk-signed body: the request's signing key, timestamp, scope and signature.
public struct ChunkSigning: Sendable {
    public var key: [UInt8]
    public var timestamp: String
    public var scope: String
    public var seedSignature: String

    public init(key: [UInt8], timestamp: String, scope: String, seedSignature: String) {
        self.key = key
        self.timestamp = timestamp
        self.scope = scope
        self.seedSignature = seedSignature
    }
}

/// Decodes an aws-chunked body (`<hex size>;chunk-signature=<sig>\r\n<bytes>\r\n`…, ending with
/// a zero-size chunk and, for the trailer forms, `name:value` lines such as a checksum) fed to it
/// piecewise. Bytes come out as they arrive, not chunk by chunk; each chunk's signature, when
/// the body is signed, is checked when its last byte has arrived, before the next starts.
struct AWSChunkDecoder {
    enum State {
        case header
        case data(remaining: Int, signature: String)
        case dataEnd(signature: String, last: Bool)
        case trailer
        case finished
    }

    /// `nil` for an unsigned body (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
    let signing: ChunkSigning?
    var previous: String
    /// The trailing headers after the last chunk.
    var trailers: [String: String] = [:]
    var pending = ByteBuffer()
    var state = State.header
    var hash = SHA256()
    /// A chunk header longer than this is not one.
    static let maxHeader = 4096

    init(signing: ChunkSigning?) {
        self.signing = signing
        previous = signing?.seedSignature ?? ""
    }

    var finished: Bool {
        if case .finished = state { true } else { false }
    }

    mutating func feed(_ bytes: ByteBuffer) {
        var bytes = bytes
        if pending.readableBytes == 0 { pending = bytes } else { pending.writeBuffer(&bytes) }
    }

    /// The next decoded bytes, or `nil` when more input is needed (or the body is finished).
    mutating func next() throws(S3Error) -> ByteBuffer? {
        while true {
            switch state {
            case .header:
                guard let line = try readLine() else { return nil }
                let parts = line.split(separator: ";", maxSplits: 1)
                let signature = parts.count == 2 && parts[1].hasPrefix("chunk-signature=")
                    ? String(parts[1].dropFirst("chunk-signature=".count)) : nil
                guard let first = parts.first, let size = Int(first, radix: 16), size >= 0, (signature == nil) == (signing == nil),
                      let signature = signature ?? (signing == nil ? "" : nil)
                else { throw S3Error(.invalidRequest, "A chunk header of the aws-chunked body is malformed.") }
                hash = SHA256()
                state = size == 0 ? .dataEnd(signature: signature, last: true) : .data(remaining: size, signature: signature)
            case .data(let remaining, let signature):
                guard pending.readableBytes > 0 else { return nil }
                let count = min(remaining, pending.readableBytes)
                let slice = pending.readSlice(length: count)!
                slice.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
                state = remaining == count ? .dataEnd(signature: signature, last: false) : .data(remaining: remaining - count, signature: signature)
                return slice
            case .dataEnd(let signature, let last):
                if !last {
                    guard pending.readableBytes >= 2 else { return nil }
                    guard pending.readString(length: 2) == "\r\n" else {
                        throw S3Error(.incompleteBody, "A chunk of the aws-chunked body is longer than its header says.")
                    }
                }
                try check(signature)
                state = last ? .trailer : .header
            case .trailer:
                guard let line = try readLine() else { return nil }
                if line.isEmpty {
                    state = .finished
                } else if let colon = line.firstIndex(of: ":") {
                    trailers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            case .finished:
                return nil
            }
        }
    }

    mutating func check(_ signature: String) throws(S3Error) {
        guard let signing else { return }
        let stringToSign = SigV4.chunkStringToSign(timestamp: signing.timestamp, scope: signing.scope, previousSignature: previous,
                                                   chunkHash: Secrets.hex(hash.finalize()))
        guard SigV4.same(SigV4.signature(key: signing.key, stringToSign: stringToSign), signature.lowercased()) else {
            throw S3Error(.signatureDoesNotMatch, "The chunk signature we calculated does not match the signature you provided.")
        }
        previous = signature.lowercased()
    }

    mutating func readLine() throws(S3Error) -> String? {
        let view = pending.readableBytesView
        guard let cr = view.firstIndex(of: UInt8(ascii: "\r")) else {
            if view.count > Self.maxHeader { throw S3Error(.invalidRequest, "A chunk header of the aws-chunked body is too long.") }
            return nil
        }
        let length = cr - view.startIndex
        guard pending.readableBytes >= length + 2 else { return nil }
        guard view[cr + 1] == UInt8(ascii: "\n") else {
            throw S3Error(.invalidRequest, "A line of the aws-chunked body does not end with CRLF.")
        }
        let line = pending.readString(length: length)!
        pending.moveReaderIndex(forwardBy: 2)
        return line
    }
}
