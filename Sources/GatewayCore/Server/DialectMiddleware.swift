import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Serves every route of the route table: match → dialect decode → backend → dialect encode.
/// Requests the table does not know go on to the rest of the router (health, 404).
public struct DialectMiddleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext
    let live: LiveConfig
    let dialects: [DialectID: any Dialect]
    let backend: any Backend
    let metrics: GatewayMetrics?
    let maxBodyBytes: Int
    /// Where clients reach the gateway; `nil` takes it from each request's `Host`.
    let publicURL: String?

    public init(live: LiveConfig, dialects: [DialectID: any Dialect], backend: any Backend, metrics: GatewayMetrics? = nil,
                maxBodyBytes: Int, publicURL: String? = nil) {
        self.live = live
        self.dialects = dialects
        self.backend = backend
        self.metrics = metrics
        self.maxBodyBytes = maxBodyBytes
        self.publicURL = publicURL
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let snapshot = live.snapshot
        let (table, authenticator) = (snapshot.table, snapshot.authenticator)
        let path = request.uri.path
        let match: RouteMatch
        let dialect: any Dialect
        if let found = table.match(request.method, path), let known = dialects[found.route.dialect] {
            (match, dialect) = (found, known)
        } else if let owner = table.owner(of: path), let known = dialects[owner] {
            // A path in a dialect's territory that no route serves: the dialect's 404 or 405.
            let allowed = table.methods(at: path).map(\.rawValue)
            let route = Route(dialect: owner, method: request.method, template: path, operation: .document)
            (match, dialect) = (RouteMatch(route: route, parameters: [:], unmatched: CanonicalError.noRoute(
                method: request.method.rawValue, path: path, allowed: allowed)), known)
        } else {
            return try await next(request, context)
        }
        let started = ContinuousClock.now
        let requestId = request.headers[.requestID] ?? RequestIDs.make()
        let isDocument = match.route.operation == .document && match.unmatched == nil
        // A document a route file marks `auth: none` (Foreman's Apipie description, which
        // clients read before they log in) is public; every other route checks credentials.
        if isDocument, match.route.defaults["auth"] == "none" {
            let answer = document(match, dialect: dialect, table: table)
            log(match, status: answer.status.code, requestId: requestId, started: started, context: context)
            return Self.response(answer, requestId: requestId)
        }
        var dialectRequest = DialectRequest(route: match.route, parameters: match.parameters, headers: request.headers,
                                            requestId: requestId)
        dialectRequest.publicURL = publicURL ?? request.head.authority.map { "http://\($0)" } ?? ""
        let answer: DialectResponse
        do {
            let identity = try await authenticator.identity(for: dialect.credential(dialectRequest))
            if let unmatched = match.unmatched { throw unmatched }
            if isDocument {
                let answer = document(match, dialect: dialect, table: table)
                log(match, status: answer.status.code, requestId: requestId, started: started, context: context)
                return Self.response(answer, requestId: requestId)
            }
            // Form rules (`+` is a space), as the legacy clients encode their queries.
            dialectRequest.query = try DialectRequest.parseForm(request.uri.query ?? "", what: "the query")
            dialectRequest.body = try await collectBody(request)
            let command = try dialect.decode(dialectRequest)
            if case .downloadImage(let selector) = command {
                let download = try await timedBackend {
                    try await RequestIDs.$current.withValue(requestId) { try await backend.download(selector, as: identity) }
                }
                log(match, status: 200, requestId: requestId, started: started, context: context)
                return Self.stream(download, requestId: requestId, pacedBy: context.eventLoop)
            }
            let result = try await timedBackend {
                try await RequestIDs.$current.withValue(requestId) { try await backend.execute(command, as: identity) }
            }
            answer = dialect.encode(result, for: dialectRequest)
        } catch {
            answer = dialect.encode(answerable(error, requestId: requestId, context: context), for: dialectRequest)
        }
        log(match, status: answer.status.code, requestId: requestId, started: started, context: context)
        return Self.response(answer, requestId: requestId)
    }

    /// A document the dialect generates from its routes (`/apidoc/v2.json`, `/api/status`).
    func document(_ match: RouteMatch, dialect: any Dialect, table: RouteTable) -> DialectResponse {
        let document = dialect.document(match.parameters["name"] ?? "", routes: table.routes.filter { $0.dialect == dialect.id })
        return DialectResponse(status: document == nil ? .notFound : .ok, body: document ?? ["error": "no such document"])
    }

    /// The body, up to the configured size; past it, the dialect's 413.
    func collectBody(_ request: Request) async throws(CanonicalError) -> ByteBuffer {
        try await Self.collectBody(request, limit: maxBodyBytes)
    }

    /// A body up to `limit` bytes, its failures as canonical errors (a 413 past the limit).
    static func collectBody(_ request: Request, limit: Int) async throws(CanonicalError) -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw .tooLarge(limit: limit)
        } catch is NIOTooManyBytesError {
            throw .tooLarge(limit: limit)
        } catch {
            throw .malformedBody("the body could not be read")
        }
    }

    /// What a client may be told of a failure. An internal error's detail (a Swift error, a
    /// store's message) goes to the log under the request id; the answer only names the request.
    /// (`.unavailable` texts are written for clients by the backend that raises them.)
    func answerable(_ error: any Error, requestId: String, context: Context) -> CanonicalError {
        let canonical = error as? CanonicalError ?? .internal("\(error)")
        switch canonical {
        case .internal(let detail):
            context.logger.error("internal error", metadata: ["request_id": .string(requestId), "detail": .string(detail)])
            return .internal("internal error (request \(requestId))")
        default:
            return canonical
        }
    }

    /// Times a backend call for the backend latency metric.
    func timedBackend<T>(_ call: () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        do {
            let value = try await call()
            metrics?.backend("ok", duration: ContinuousClock.now - started)
            return value
        } catch {
            metrics?.backend((error as? CanonicalError)?.kind ?? "error", duration: ContinuousClock.now - started)
            throw error
        }
    }

    /// The one line per request: dialect, operation, status, time; and the request metrics.
    func log(_ match: RouteMatch, status: Int, requestId: String, started: ContinuousClock.Instant, context: Context) {
        let duration = ContinuousClock.now - started
        metrics?.request(dialect: match.route.dialect.rawValue, operation: match.route.operation.rawValue, status: status,
                         duration: duration)
        context.logger.info("request", metadata: [
            "dialect": .string(match.route.dialect.rawValue), "operation": .string(match.route.operation.rawValue),
            "status": .stringConvertible(status), "request_id": .string(requestId),
            "duration_ms": .stringConvertible((duration.milliseconds * 1000).rounded() / 1000),
        ])
    }

    /// An image's bytes, streamed from the backend with their length and checksum.
    ///
    /// After each chunk the writer waits for a no-op task on the connection's event loop: the
    /// loop runs its tasks in order, so by then the chunk has reached the channel and, if the
    /// socket is behind, the channel has told the writer to stop. Without it, a loop starved of
    /// CPU (one core shared with the file reads) let hundreds of chunks queue: RSS rose ~180 MB
    /// during each 1 GiB download.
    static func stream(_ download: ImageDownload, requestId: String, pacedBy eventLoop: any EventLoop) -> Response {
        var headers: HTTPFields = [.contentType: "application/octet-stream", .requestID: requestId]
        headers[.contentLength] = String(download.size)
        if !download.checksum.isEmpty { headers[.contentMD5Hex] = download.checksum }
        return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: Int(download.size)) { writer in
            try await download.write { buffer in
                try await writer.write(buffer)
                try await eventLoop.submit {}.get()
            }
            try await writer.finish(nil)
        })
    }

    static func response(_ answer: DialectResponse, requestId: String) -> Response {
        var headers = answer.headers
        headers[.requestID] = requestId
        guard let body = answer.body else {
            return Response(status: answer.status, headers: headers)
        }
        // Sized for a typical answer (an image is ~1 KiB), so writing it rarely reallocates.
        var buffer = ByteBufferAllocator().buffer(capacity: 2_048)
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
