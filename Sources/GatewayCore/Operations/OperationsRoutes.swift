import Hummingbird

/// What operators and orchestrators probe: liveness, readiness and Prometheus metrics.
struct OperationsRoutes: Sendable {
    let backend: any Backend
    let metrics: GatewayMetrics

    func add(to router: Router<GatewayRequestContext>) {
        /// The process is up and serving HTTP.
        router.get("/healthz") { _, _ in "ok\n" }
        /// The backend is reachable and its store writable: send traffic here.
        router.get("/readyz") { _, _ -> Response in
            if let reason = await backend.unreadiness() {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "not ready: \(reason)\n")))
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: metrics.exposition()))
        }
    }
}
