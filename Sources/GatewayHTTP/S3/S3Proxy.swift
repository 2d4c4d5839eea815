import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import IMSService
import NIOCore
import NIOHTTP1

/// A gateway in front of a remote store passes S3 requests through to the store's gateway as
/// they came (the same `Host`, so the signature still holds), bodies streamed both ways.
public struct S3Proxy: Sendable {
    let url: String
    let client: HTTPClient

    /// Headers of one hop only, not passed on.
    static let hopHeaders: Set<String> = ["connection", "keep-alive", "transfer-encoding", "expect", "upgrade", "te", "trailer"]

    func forward(_ request: Request, requestId: String) async -> Response {
        var out = HTTPClientRequest(url: url + request.uri.string)
        out.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopHeaders.contains(field.name.canonicalName) {
            out.headers.add(name: field.name.rawName, value: field.value)
        }
        out.headers.replaceOrAdd(name: "Host", value: request.head.authority ?? "")
        out.headers.replaceOrAdd(name: "X-Request-Id", value: requestId)
        if request.method == .put || request.method == .post {
            let length = request.headers[.contentLength].flatMap { Int64($0) }
            out.body = .stream(request.body, length: length.map { .known($0) } ?? .unknown)
        }
        do {
            let response = try await client.execute(out, timeout: .hours(6))
            var headers = HTTPFields()
            for (name, value) in response.headers where !Self.hopHeaders.contains(name.lowercased()) {
                if let name = HTTPField.Name(name) { headers.append(HTTPField(name: name, value: value)) }
            }
            let length = response.headers.first(name: "content-length").flatMap { Int($0) }
            let body = response.body
            return Response(status: .init(code: Int(response.status.code)), headers: headers,
                            body: ResponseBody(contentLength: length) { writer in
                                if request.method != .head {
                                    for try await chunk in body { try await writer.write(chunk) }
                                }
                                try await writer.finish(nil)
                            })
        } catch {
            return S3Responses.error(S3Error(.serviceUnavailable, "The object store is unavailable; try again."),
                                     resource: request.uri.path, requestId: requestId, head: request.method == .head)
        }
    }
}

extension S3Middleware {
    /// The endpoint over `backend`: served in process where the backend holds the objects,
    /// passed on where another gateway does.
    public init(backend: any Backend) {
        let capabilities = backend.capabilities
        if let url = capabilities.uploadObjectsAt {
            // Not the backend's client: its read timeout is a command's, and completing a large
            // multipart upload (joining its parts) can take longer before the answer starts.
            self.init(objects: nil, proxy: S3Proxy(url: url, client: .shared))
        } else {
            self.init(objects: capabilities.uploadObjects, proxy: nil)
        }
    }
}
