import Foundation
import Hummingbird
import NIOPosix

/// The operator console (`/console`): server-rendered pages of the gateway's own state, for
/// operators only (`ConsoleAccess`). Pages that read files (the shadow's record, migration
/// statuses) do so on NIO's thread pool, not on the event loop that took the request.
struct ConsoleRoutes: Sendable {
    let config: GatewayConfig
    let backends: BackendGraph
    let metrics: GatewayMetrics
    let live: LiveConfig

    func add(to router: Router<GatewayRequestContext>) {
        let access = ConsoleAccess(live: live)
        let (config, backends, metrics, live) = (config, backends, metrics, live)
        router.get("/console") { request, _ -> Response in
            if let refusal = await access.refusal(request) { return refusal }
            let page = BackendsPage(config: config, graph: backends, routes: live.snapshot.table.routes, health: await backends.health())
            return Self.render(page, "backends")
        }
        router.get("/console/traffic") { request, _ -> Response in
            if let refusal = await access.refusal(request) { return refusal }
            return Self.render(TrafficPage(figures: metrics.routes), "traffic")
        }
        router.get("/console/shadow") { request, _ -> Response in
            if let refusal = await access.refusal(request) { return refusal }
            return Self.render(try await NIOThreadPool.singleton.runIfActive { ShadowPage(config: config) }, "shadow")
        }
        router.get("/console/migration") { request, _ -> Response in
            if let refusal = await access.refusal(request) { return refusal }
            return Self.render(try await NIOThreadPool.singleton.runIfActive { MigrationPage(config: config) }, "migration")
        }
    }

    static func render(_ page: some Sendable, _ template: String) -> Response {
        let html = ConsoleTemplates.library.render(page, withTemplate: template) ?? ""
        // No page is kept by a cache or shown inside another site's frame.
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                               .init("X-Frame-Options")!: "DENY",
                                               .init("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
