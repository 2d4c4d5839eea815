import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Serves every route of the route table: match → dialect decode → backend → dialect encode.
/// Requests the table does not know go on to the rest of the router (health, 404).
public struct DialectMiddleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext
    let table: RouteTable
    let dialects: [DialectID: any Dialect]
    let backend: any Backend
    let authenticator: Authenticator
    let maxBodyBytes: Int
    /// Where clients reach the gateway; `nil` takes it from each request's `Host`.
    let publicURL: String?

    public init(table: RouteTable, dialects: [DialectID: any Dialect], backend: any Backend,
                authenticator: Authenticator = Authenticator(store: nil, cache: nil), maxBodyBytes: Int, publicURL: String? = nil) {
        self.table = table
        self.dialects = dialects
        self.backend = backend
        self.authenticator = authenticator
        self.maxBodyBytes = maxBodyBytes
        self.publicURL = publicURL
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let match = table.match(request.method, request.uri.path), let dialect = dialects[match.route.dialect] else {
            return try await next(request, context)
        }
        let requestId = request.headers[.requestID] ?? UUID().uuidString.lowercased()
        if match.route.operation == .document {
            let routes = table.routes.filter { $0.dialect == dialect.id }
            let document = dialect.document(match.parameters["name"] ?? "", routes: routes)
            log(match, status: document == nil ? 404 : 200, requestId: requestId, context: context)
            return Self.response(DialectResponse(status: document == nil ? .notFound : .ok, body: document ?? ["error": "no such document"]),
                                 requestId: requestId)
        }
        var dialectRequest = DialectRequest(
            route: match.route, parameters: match.parameters,
            // Form rules (`+` is a space), as the legacy clients encode their queries.
            query: DialectRequest.parseForm(request.uri.query ?? ""),
            headers: request.headers, requestId: requestId)
        dialectRequest.publicURL = publicURL ?? request.head.authority.map { "http://\($0)" } ?? ""
        let answer: DialectResponse
        do {
            let identity = try authenticator.identity(for: dialect.credential(dialectRequest))
            dialectRequest.body = try await request.body.collect(upTo: maxBodyBytes)
            let command = try dialect.decode(dialectRequest)
            if case .downloadImage(let selector) = command {
                let download = try await RequestIDs.$current.withValue(requestId) {
                    try await backend.download(selector, as: identity)
                }
                log(match, status: 200, requestId: requestId, context: context)
                return Self.stream(download, requestId: requestId)
            }
            let result = try await RequestIDs.$current.withValue(requestId) {
                try await backend.execute(command, as: identity)
            }
            answer = dialect.encode(result, for: dialectRequest)
        } catch let error as CanonicalError {
            answer = dialect.encode(error, for: dialectRequest)
        } catch {
            // Body too large or the connection failed while reading it.
            let reason = (error as? HTTPError)?.status == .contentTooLarge
                ? CanonicalError.malformedBody("the body is larger than \(maxBodyBytes) bytes")
                : CanonicalError.internal("\(error)")
            answer = dialect.encode(reason, for: dialectRequest)
        }
        log(match, status: answer.status.code, requestId: requestId, context: context)
        return Self.response(answer, requestId: requestId)
    }

    func log(_ match: RouteMatch, status: Int, requestId: String, context: Context) {
        context.logger.info("request", metadata: [
            "dialect": .string(match.route.dialect.rawValue), "operation": .string(match.route.operation.rawValue),
            "status": .stringConvertible(status), "request_id": .string(requestId),
        ])
    }

    /// An image's bytes, streamed from the backend with their length and checksum.
    static func stream(_ download: ImageDownload, requestId: String) -> Response {
        var headers: HTTPFields = [.contentType: "application/octet-stream", .requestID: requestId]
        headers[.contentLength] = String(download.size)
        if !download.checksum.isEmpty { headers[.contentMD5Hex] = download.checksum }
        return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: Int(download.size)) { writer in
            try await download.write { buffer in try await writer.write(buffer) }
            try await writer.finish(nil)
        })
    }

    static func response(_ answer: DialectResponse, requestId: String) -> Response {
        var headers = answer.headers
        headers[.requestID] = requestId
        guard let body = answer.body else {
            return Response(status: answer.status, headers: headers)
        }
        var buffer = ByteBuffer()
        body.write(into: &buffer)
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: answer.status, headers: headers, body: .init(byteBuffer: buffer))
    }
}

extension HTTPField.Name {
    public static let requestID = Self("X-Request-Id")!
    /// The MD5 of a download, hex (CECSTACK's `checksum`).
    public static let contentMD5Hex = Self("X-Checksum-Md5")!
}
