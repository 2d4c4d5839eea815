import Crypto
import IMSService
import NIOCore

/// A request body as S3 checks it, streamed: the bytes pass through as they arrive while their
/// digests are taken, and the end of the stream is an error when they do not match what the
/// request claimed (`x-amz-content-sha256`, `Content-MD5`). The store writes to a scratch file
/// and keeps it only when the stream ends without error, so unchecked bytes are never kept.
/// An aws-chunked body (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`) is decoded here too, each
/// chunk's signature checked against the chain that starts at the request's own signature.
public struct S3Payload<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    public typealias Element = ByteBuffer

    public struct Claims: Sendable {
        /// The hex SHA-256 the body must have, when the request signed it.
        public var sha256: String?
        /// The MD5 (`Content-MD5`, base64) the body must have.
        public var md5: [UInt8]?
        /// The length of the decoded body (`x-amz-decoded-content-length`).
        public var decodedLength: Int64?
        /// An aws-chunked body: its chunk signing (the signing key, the request's timestamp, scope
        /// and signature), or `nil` inside for an unsigned one.
        public var chunks: ChunkSigning??
        /// A flexible checksum to check: its header name, and its value when sent as a header
        /// (`nil`: it comes as a trailer of the chunked body).
        public var checksum: (name: String, value: String?)?

        public init(sha256: String? = nil, md5: [UInt8]? = nil, decodedLength: Int64? = nil, chunks: ChunkSigning?? = nil,
                    checksum: (name: String, value: String?)? = nil) {
            self.sha256 = sha256
            self.md5 = md5
            self.decodedLength = decodedLength
            self.chunks = chunks
            self.checksum = checksum
        }
    }

    let base: Base
    let claims: Claims

    public init(_ base: Base, claims: Claims) {
        self.base = base
        self.claims = claims
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), claims: claims)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let claims: Claims
        var sha256 = SHA256()
        var md5 = Insecure.MD5()
        var count: Int64 = 0
        var decoder: AWSChunkDecoder?
        var checksum: S3Checksum?
        var done = false

        init(base: Base.AsyncIterator, claims: Claims) {
            self.base = base
            self.claims = claims
            decoder = claims.chunks.map { AWSChunkDecoder(signing: $0) }
            checksum = claims.checksum.flatMap { S3Checksum(header: $0.name) }
        }

        public mutating func next() async throws -> ByteBuffer? {
            while !done {
                // Mutated in place: a copy would copy its pending bytes on every call.
                if decoder != nil {
                    if let out = try decoder!.next() { return take(out) }
                    if decoder!.finished { break }
                }
                guard let chunk = try await base.next() else {
                    guard decoder == nil else { throw S3Error(.incompleteBody, "The request body ended inside a chunk.") }
                    break
                }
                if decoder != nil { decoder!.feed(chunk) } else { return take(chunk) }
            }
            if !done { try finish() }
            return nil
        }

        mutating func take(_ chunk: ByteBuffer) -> ByteBuffer {
            chunk.withUnsafeReadableBytes { bytes in
                if claims.sha256 != nil { sha256.update(bufferPointer: bytes) }
                if claims.md5 != nil { md5.update(bufferPointer: bytes) }
                checksum?.update(bytes)
            }
            count += Int64(chunk.readableBytes)
            return chunk
        }

        mutating func finish() throws {
            done = true
            if let length = claims.decodedLength, length != count {
                throw S3Error(.incompleteBody, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
            }
            if let claimed = claims.sha256, Secrets.hex(sha256.finalize()) != claimed.lowercased() {
                throw S3Error(.xAmzContentSHA256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
            }
            if let claimed = claims.md5, Array(md5.finalize()) != claimed {
                throw S3Error(.badDigest, "The Content-MD5 you specified did not match what we received.")
            }
            if let checksum, let name = claims.checksum?.name {
                guard let claimed = claims.checksum?.value ?? decoder?.trailers[name] else {
                    throw S3Error(.invalidRequest, "The body ended without its \(name) trailer.")
                }
                guard checksum.finish() == claimed else {
                    throw S3Error(.badDigest, "The \(checksum.algorithm.rawValue.uppercased()) you specified did not match the calculated checksum.")
                }
            }
        }
    }
}
