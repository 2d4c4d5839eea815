import Hummingbird
import IMSModel
import IMSService

/// The gateway's one router middleware: an S3 request goes to the object endpoint, anything else
/// to the dialects' routes, and what neither serves on to the router (health, metrics, 404).
///
/// One layer, not one per concern: each layer of Hummingbird's middleware chain cost six executor
/// hops per request (counted with a uprobe on `swift_task_switch`: 52 per `/healthz` with the S3,
/// idempotency and dialect middlewares as three layers, 40 with them as one), each a trip
/// through the event loop's task queue.
public struct GatewayFront: RouterMiddleware {
    public typealias Context = GatewayRequestContext
    let s3: S3Middleware
    let dialects: DialectMiddleware

    public init(s3: S3Middleware, dialects: DialectMiddleware) {
        self.s3 = s3
        self.dialects = dialects
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let address = s3.address(of: request) { return await s3.respond(to: request, at: address, context: context) }
        return try await dialects.handle(request, context: context) { request, context in
            // The gateway's own endpoints and paths nothing serves: logged here, a 404 in words.
            let started = ContinuousClock.now
            // Made only when an answer or a line needs it (a /healthz probe logged at warning does not).
            var requestId = request.headers[.requestID]
            var response: Response
            var template: String?
            do {
                response = try await next(request, context)
                template = context.endpointPath
            } catch let error as HTTPError where error.status == .notFound {
                let id = requestId ?? RequestIDs.make()
                requestId = id
                response = CanonicalWire.error(CanonicalError.noRoute(method: request.method.rawValue, path: request.uri.path, allowed: []),
                                               requestId: id)
                response.headers[.requestID] = id
            }
            if RequestLog.wanted(by: context.logger) {
                let id = requestId ?? RequestIDs.make()
                response.headers[.requestID] = id
                var line = RequestLog(request, requestId: id, started: started)
                line.template = template
                line.write(status: Int(response.status.code), bytesOut: response.body.contentLength, to: context.logger)
            }
            return response
        }
    }
}
