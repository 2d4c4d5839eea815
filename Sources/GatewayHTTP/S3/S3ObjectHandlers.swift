import Foundation
import HTTPTypes
import Hummingbird
import IMSService
import NIOCore

/// How a request's body is to be checked (see `S3Payload`), from its signature and headers.
struct Payload {
    let claims: Result<S3Payload<RequestBody>.Claims, S3Error>

    init(claim: SigV4Claim, signingKey: [UInt8], headers: HTTPFields) {
        claims = Result { () throws(S3Error) in
            var claims = S3Payload<RequestBody>.Claims()
            switch claim.payloadHash {
            case SigV4.unsignedPayload: break
            case SigV4.streamingPayload:
                guard let length = headers[.amzDecodedContentLength].flatMap({ Int64($0) }) else {
                    throw S3Error(.missingContentLength, "A chunk-signed body needs x-amz-decoded-content-length.")
                }
                claims.decodedLength = length
                claims.chunks = ChunkSigning(key: signingKey, timestamp: claim.timestamp, scope: claim.scope,
                                             seedSignature: claim.signature.lowercased())
            case SigV4.unsignedTrailer:
                guard let length = headers[.amzDecodedContentLength].flatMap({ Int64($0) }) else {
                    throw S3Error(.missingContentLength, "A chunked body needs x-amz-decoded-content-length.")
                }
                guard let trailer = headers[.amzTrailer], S3Checksum(header: trailer) != nil else {
                    throw S3Error(.invalidRequest, "An unsigned chunked body needs a known x-amz-trailer checksum.")
                }
                claims.decodedLength = length
                claims.chunks = .some(nil)
                claims.checksum = (trailer.lowercased(), nil)
            case let hash where hash.count == 64 && hash.allSatisfy(\.isHexDigit):
                claims.sha256 = hash
            default:
                throw S3Error(.notImplemented, "The payload signing \(claim.payloadHash) is not served; sign the payload or send it unsigned.")
            }
            // A checksum header matters where nothing else checks the bytes: an unsigned payload.
            if claims.sha256 == nil, claims.checksum == nil,
               let field = headers.first(where: { S3Checksum(header: $0.name.canonicalName) != nil }) {
                claims.checksum = (field.name.canonicalName, field.value)
            }
            if let md5 = headers[.contentMD5] {
                guard let bytes = Data(base64Encoded: md5), bytes.count == 16 else {
                    throw S3Error(.invalidDigest, "The Content-MD5 you specified is not valid.")
                }
                claims.md5 = Array(bytes)
            }
            return claims
        }
    }

    /// The body's declared length once decoded: `x-amz-decoded-content-length` for a chunked
    /// body, else `Content-Length`.
    func length(_ request: Request) throws(S3Error) -> Int64? {
        try claims.get().decodedLength ?? request.headers[.contentLength].flatMap { Int64($0) }
    }

    func body(_ request: Request) throws(S3Error) -> S3Payload<RequestBody> {
        S3Payload(request.body, claims: try claims.get())
    }
}

extension S3Handlers {
    func objectOperation(_ operation: S3Operation, _ request: Request, _ address: S3Address, _ payload: Payload) async throws(S3Error)
        -> Response
    {
        switch operation {
        case .putObject:
            let stored = try await objects.putObject(address.key, body: try payload.body(request))
            return S3Responses.empty(requestId: requestId, headers: [.eTag: S3Responses.quoted(stored.etag)])
        case .headObject:
            let stored = try await objects.object(address.key)
            return S3Responses.empty(requestId: requestId, headers: objectHeaders(stored, length: stored.size))
        default:
            let stored = try await objects.object(address.key)
            return try get(stored, address.key, range: request.headers[.range])
        }
    }

    func objectHeaders(_ stored: StoredObject, length: Int64) -> HTTPFields {
        [.contentLength: String(length), .eTag: S3Responses.quoted(stored.etag), .lastModified: S3Responses.httpDate(stored.modified),
         .acceptRanges: "bytes", .contentType: "application/octet-stream"]
    }

    /// The object's bytes, or the one range asked for (206 with `Content-Range`).
    func get(_ stored: StoredObject, _ imageId: String, range header: String?) throws(S3Error) -> Response {
        let range = try header.flatMap { (text) throws(S3Error) in try Self.range(text, size: stored.size) }
        var headers = S3Responses.base(requestId)
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? stored.size
        headers.append(contentsOf: objectHeaders(stored, length: length))
        if let range { headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(stored.size)" }
        let objects = self.objects
        let eventLoop = context.eventLoop
        return Response(status: range == nil ? .ok : .partialContent, headers: headers,
                        body: ResponseBody(contentLength: Int(length)) { writer in
                            try await objects.readObject(imageId, range: range) { chunk in
                                try await writer.write(chunk)
                                // Paced like a download (see `DialectMiddleware.stream`).
                                try await eventLoop.submit {}.get()
                            }
                            try await writer.finish(nil)
                        })
    }

    /// `bytes=a-b`, `bytes=a-` or `bytes=-n` as an inclusive range of the object; another form
    /// (several ranges) is ignored, as S3 does; a range past the end is `InvalidRange`.
    static func range(_ header: String, size: Int64) throws(S3Error) -> ClosedRange<Int64>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst("bytes=".count).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        let unsatisfiable = S3Error(.invalidRange, "The requested range is not satisfiable")
        switch (Int64(spec[0]), Int64(spec[1])) {
        case (let start?, let end?) where start <= end:
            guard start < size else { throw unsatisfiable }
            return start...min(end, size - 1)
        case (let start?, nil) where spec[1].isEmpty:
            guard start < size else { throw unsatisfiable }
            return start...(size - 1)
        case (nil, let suffix?) where spec[0].isEmpty:
            guard suffix > 0, size > 0 else { throw unsatisfiable }
            return max(size - suffix, 0)...(size - 1)
        default:
            return nil
        }
    }
}
