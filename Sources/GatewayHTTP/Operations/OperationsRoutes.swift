import Hummingbird

/// What operators and orchestrators probe: liveness, readiness and Prometheus metrics.
struct OperationsRoutes: Sendable {
    let backends: BackendGraph
    let metrics: GatewayMetrics
    let live: LiveConfig

    func add(to router: Router<GatewayRequestContext>) {
        /// The process is up and serving HTTP.
        router.get("/healthz") { _, _ in "ok\n" }
        /// The backend is reachable and its store writable: send traffic here.
        router.get("/readyz") { _, _ -> Response in
            if let reason = await backends.unreadiness() {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "not ready: \(reason)\n")))
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        }
        /// `/openapi/<dialect>.json`: generated from the route table in force and the dialect's encoders.
        router.get("/openapi/{file}") { _, context -> Response in
            let file = context.parameters.get("file") ?? ""
            let snapshot = live.snapshot
            guard file.hasSuffix(".json"), let dialect = snapshot.dialects[DialectID(String(file.dropLast(5)))] else {
                return Response(status: .notFound)
            }
            var buffer = ByteBuffer()
            OpenAPIDocument.build(for: dialect, routes: snapshot.table.routes).write(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: metrics.exposition()))
        }
    }
}
