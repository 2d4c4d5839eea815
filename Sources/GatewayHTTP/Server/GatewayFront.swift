import Hummingbird

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
        return try await dialects.handle(request, context: context, next: next)
    }
}
