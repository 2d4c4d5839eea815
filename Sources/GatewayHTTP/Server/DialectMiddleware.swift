import Foundation
import HTTPTypes
import Hummingbird
import IMSModel
import IMSService
import Logging
import NIOCore

/// Serves every route of the route table through `Gateway.handle`, and turns its answer into
/// HTTP. Requests the table does not know go on to the rest of the router (health, 404).
public struct DialectMiddleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext
    let live: LiveConfig
    let gateway: Gateway
    let metrics: GatewayMetrics?
    let maxBodyBytes: Int
    /// Where clients reach the gateway; `nil` takes it from each request's `Host`.
    let publicURL: String?
    /// The backend a route that names none runs on, for the log line.
    let defaultBackend: String

    public init(live: LiveConfig, backends: BackendGraph, metrics: GatewayMetrics? = nil,
                maxBodyBytes: Int, publicURL: String? = nil, traced: Bool = false) {
        self.live = live
        gateway = Gateway(backends: backends, metrics: metrics, traced: traced)
        defaultBackend = backends.defaultName
        self.metrics = metrics
        self.maxBodyBytes = maxBodyBytes
        self.publicURL = publicURL
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let snapshot = live.snapshot
        guard snapshot.table.claims(request.uri.path) else { return try await next(request, context) }
        let started = ContinuousClock.now
        let requestId = request.headers.value(.requestID) ?? RequestIDs.make()
        let limit = maxBodyBytes
        var input = Gateway.Request(method: request.method, path: request.uri.path, query: request.uri.query ?? "",
                                    headers: request.headers, requestId: requestId,
                                    publicURL: publicURL ?? request.head.authority.map { "http://\($0)" } ?? "")
        // Only a request with a body gets a closure holding the request (a copy of it, ~10
        // retains and an allocation, that every GET would pay for nothing).
        input.hasBody = request.headers.announcesBody
        if input.hasBody {
            input.body = { () async throws(CanonicalError) in try await Self.collectBody(request, limit: limit) }
        }
        let (answer, trace) = gateway.traced
            ? await RequestSpans.server(request) { span in
                let handled = await gateway.handle(input, in: snapshot, logger: context.logger)
                RequestSpans.describe(span, request, route: handled.1.route, status: handled.1.status)
                return handled
            }
            : await gateway.handle(input, in: snapshot, logger: context.logger)
        guard let route = trace.route else { return try await next(request, context) }
        // What Hummingbird's own metrics and tracing middlewares group requests by.
        context.coreContext.endpointPath.value = route.template
        let response: Response
        let bytesOut: Int?
        switch answer {
        case .download(let download):
            (response, bytesOut) = (Self.stream(download, requestId: requestId, pacedBy: context.eventLoop), Int(download.size))
        case .response(let answer):
            response = Self.response(answer, requestId: requestId)
            bytesOut = response.body.contentLength
        case .notOurs, .decoded: return try await next(request, context)
        }
        metrics?.request(dialect: route.dialect.rawValue, operation: route.operation.rawValue, route: route.template, status: trace.status,
                         duration: ContinuousClock.now - started)
        if RequestLog.wanted(by: context.logger) {
            var line = RequestLog(request, requestId: requestId, started: started)
            (line.template, line.dialect, line.operation) = (route.template, route.dialect.rawValue, route.operation.rawValue)
            line.backend = route.backend ?? defaultBackend
            line.write(status: trace.status, bytesOut: bytesOut, to: context.logger)
        }
        return response
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
        guard let (buffer, contentType) = answer.encoded() else {
            return Response(status: answer.status, headers: headers)
        }
        headers[.contentType] = contentType
        return Response(status: answer.status, headers: headers, body: .init(byteBuffer: buffer))
    }
}

extension HTTPField.Name {
    public static let requestID = Self("X-Request-Id")!
    /// The MD5 of a download, hex (CECSTACK's `checksum`).
    public static let contentMD5Hex = Self("X-Checksum-Md5")!
}
