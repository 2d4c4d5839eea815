import Foundation
import HTTPTypes
import Hummingbird
import IMSModel
import IMSService
import NIOCore

/// CreateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload, AbortMultipartUpload.
extension S3Handlers {
    func multipartOperation(_ operation: S3Operation, _ request: Request, _ address: S3Address, _ payload: Payload)
        async throws(S3Error) -> Response
    {
        let (bucket, key) = (address.bucket, address.key)
        switch operation {
        case .createMultipartUpload:
            let uploadId = try await objects.createMultipartUpload(key)
            return S3Responses.xml(S3XML.document("InitiateMultipartUploadResult", [("Bucket", bucket), ("Key", key), ("UploadId", uploadId)]),
                                   requestId: requestId)
        case .uploadPart(let number, let uploadId):
            let part = try await objects.uploadPart(key, uploadId: uploadId, number: number, length: try payload.length(request),
                                                    body: try payload.body(request))
            return S3Responses.empty(requestId: requestId, headers: [.eTag: S3Responses.quoted(part.md5)])
        case .listParts(let uploadId):
            return try await listParts(request, bucket: bucket, key: key, uploadId: uploadId)
        case .completeMultipartUpload(let uploadId):
            let body: ByteBuffer
            do {
                body = try await payload.body(request).reduce(into: ByteBuffer()) { all, chunk in
                    var chunk = chunk
                    guard all.readableBytes + chunk.readableBytes <= 1 << 20 else {
                        throw S3Error(.malformedXML, "The CompleteMultipartUpload document is too long.")
                    }
                    all.writeBuffer(&chunk)
                }
            } catch let error as S3Error {
                throw error
            } catch {
                throw S3Error(.incompleteBody, "The request body ended before it was complete.")
            }
            let parts = try S3XML.completedParts(String(buffer: body))
            try await objects.checkCompletion(key, uploadId: uploadId, parts: parts)
            return completing(key, uploadId: uploadId, parts: parts, bucket: bucket, location: "http://\(request.head.authority ?? "")/\(bucket)/\(key)",
                              resource: request.uri.path)
        case .abortMultipartUpload(let uploadId):
            try await objects.abortMultipartUpload(key, uploadId: uploadId)
            return S3Responses.empty(.noContent, requestId: requestId)
        default:
            throw S3Error(.notImplemented, "That operation is not served.")
        }
    }

    /// Joining the parts can outlast a client's read timeout (botocore's is 60 s), so, as S3
    /// does, the answer starts at once (200, the XML declaration), a space follows every few
    /// seconds, and the result ends it: the result document, or an `<Error>` document, which
    /// SDKs look for in a 200 answer to this operation. The parts were checked before, so only
    /// a failure of the store can end it that way. The work runs in its own task: a client that
    /// goes away does not cut a join halfway.
    func completing(_ key: String, uploadId: String, parts: [(number: Int, etag: String)], bucket: String, location: String,
                    resource: String) -> Response {
        let (objects, requestId) = (self.objects, self.requestId)
        let work = Task { () -> Result<StoredObject, S3Error> in
            do throws(S3Error) {
                return .success(try await objects.completeMultipartUpload(key, uploadId: uploadId, parts: parts))
            } catch {
                return .failure(error)
            }
        }
        var headers = S3Responses.base(requestId)
        headers[.contentType] = "application/xml"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: S3XML.declaration))
            let outcome = try await withThrowingTaskGroup(of: Result<StoredObject, S3Error>?.self) { group in
                group.addTask { await work.value }
                group.addTask { try await Task.sleep(for: .seconds(5)); return nil }
                while let next = try await group.next() {
                    if let outcome = next {
                        group.cancelAll()
                        return outcome
                    }
                    try await writer.write(ByteBuffer(string: " "))
                    group.addTask { try await Task.sleep(for: .seconds(5)); return nil }
                }
                return await work.value
            }
            let document = switch outcome {
            case .success(let stored):
                S3XML.document("CompleteMultipartUploadResult", [
                    ("Location", location), ("Bucket", bucket), ("Key", key), ("ETag", S3Responses.quoted(stored.etag)),
                ], declaration: false)
            case .failure(let error):
                error.xml(resource: resource, requestId: requestId, declaration: false)
            }
            try await writer.write(ByteBuffer(string: document))
            try await writer.finish(nil)
        })
    }

    /// ListParts with `max-parts` and `part-number-marker` paging.
    func listParts(_ request: Request, bucket: String, key: String, uploadId: String) async throws(S3Error) -> Response {
        let query = S3Address.query(request.uri.query)
        let value = { (name: String) in query.last { $0.0 == name }?.1 }
        let maxParts = min(value("max-parts").flatMap { Int($0) } ?? 1000, 1000)
        let marker = value("part-number-marker").flatMap { Int($0) } ?? 0
        let all = try await objects.listParts(key, uploadId: uploadId).filter { $0.number > marker }
        let page = all.prefix(max(maxParts, 0))
        let truncated = all.count > page.count
        let parts = page.map { part in
            "<Part>" + [("PartNumber", String(part.number)), ("LastModified", S3Responses.isoDate(part.modified)),
                        ("ETag", S3Responses.quoted(part.md5)), ("Size", String(part.size))].map(S3XML.element).joined() + "</Part>"
        }
        return S3Responses.xml(S3XML.document("ListPartsResult", [
            ("Bucket", bucket), ("Key", key), ("UploadId", uploadId), ("PartNumberMarker", String(marker)),
            ("NextPartNumberMarker", String(page.last?.number ?? marker)), ("MaxParts", String(maxParts)),
            ("IsTruncated", truncated ? "true" : "false"), ("StorageClass", "STANDARD"),
        ], raw: parts), requestId: requestId)
    }
}
