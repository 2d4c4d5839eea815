import CoreMetrics
import Metrics
import NIOConcurrencyHelpers
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
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.factory = factory
        routes = RouteFigures(bounds: Self.durationBuckets)
        cacheHits = Counter(label: "ims_gateway_credential_cache_hits_total", factory: factory)
        cacheMisses = Counter(label: "ims_gateway_credential_cache_misses_total", factory: factory)
    }

    /// Latency buckets, for Prometheus's histograms and the console's recent minutes alike.
    static let durationBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    /// The last minutes of each dialect operation, for the console.
    public let routes: RouteFigures

    struct RequestKey: Hashable {
        var dialect: String
        var operation: String
        var status: Int
    }

    /// Metric handles by their labels. Making one through the factory validates its name and
    /// labels and looks it up in the registry under a lock; once per label set is enough.
    private let requestHandles = NIOLockedValueBox<[RequestKey: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])
    private let backendTimers = NIOLockedValueBox<[String: Timer]>([:])
    private let cacheHits: CoreMetrics.Counter
    private let cacheMisses: CoreMetrics.Counter

    /// One served dialect request.
    func request(dialect: String, operation: String, route: String, status: Int, duration: Duration) {
        let key = RequestKey(dialect: dialect, operation: operation, status: status)
        let (counter, timer) = requestHandles.withLockedValue { handles in
            if let made = handles[key] { return made }
            let dimensions = [("dialect", dialect), ("operation", operation), ("status", String(status))]
            let made = (Counter(label: "ims_gateway_requests_total", dimensions: dimensions, factory: factory),
                        Timer(label: "ims_gateway_request_duration_seconds", dimensions: dimensions, factory: factory))
            handles[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(duration.nanoseconds)
        routes.record(dialect: dialect, operation: operation, route: route, status: status, duration: duration)
    }

    /// One call to the backend, by outcome (`ok`, or the canonical error's kind).
    func backend(_ outcome: String, duration: Duration) {
        let timer = backendTimers.withLockedValue { timers in
            if let made = timers[outcome] { return made }
            let made = Timer(label: "ims_gateway_backend_duration_seconds", dimensions: [("outcome", outcome)], factory: factory)
            timers[outcome] = made
            return made
        }
        timer.recordNanoseconds(duration.nanoseconds)
    }

    func cache(hit: Bool) {
        (hit ? cacheHits : cacheMisses).increment()
    }

    /// The Prometheus text exposition.
    public func exposition() -> ByteBuffer {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return ByteBuffer(bytes: bytes)
    }
}
