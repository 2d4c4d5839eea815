import Metrics
import NIOCore
import Prometheus

/// The gateway's Prometheus metrics, recorded through swift-metrics with an explicit factory so
/// each application (and each test) has its own registry rather than a process-wide one.
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// One served dialect request.
    func request(dialect: String, operation: String, status: Int, duration: Duration) {
        let dimensions = [("dialect", dialect), ("operation", operation), ("status", String(status))]
        Counter(label: "ims_gateway_requests_total", dimensions: dimensions, factory: factory).increment()
        Timer(label: "ims_gateway_request_duration_seconds", dimensions: dimensions, factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// One call to the backend, by outcome (`ok`, or the canonical error's kind).
    func backend(_ outcome: String, duration: Duration) {
        Timer(label: "ims_gateway_backend_duration_seconds", dimensions: [("outcome", outcome)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    func cache(hit: Bool) {
        Counter(label: hit ? "ims_gateway_credential_cache_hits_total" : "ims_gateway_credential_cache_misses_total",
                factory: factory).increment()
    }

    /// The Prometheus text exposition.
    public func exposition() -> ByteBuffer {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return ByteBuffer(bytes: bytes)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var milliseconds: Double { Double(nanoseconds) / 1_000_000 }
}
