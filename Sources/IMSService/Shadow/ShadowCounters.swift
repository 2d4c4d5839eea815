import CoreMetrics
import IMSModel
import Metrics
import NIOConcurrencyHelpers

/// A shadow's figures on `/metrics`: compared, mismatched (by operation), dropped, the
/// secondary's errors, and the queue's depth and lag. Handles are made once per label set.
final class ShadowCounters: Sendable {
    private let factory: (any MetricsFactory)?
    private let backend: String
    /// By figure and operation; a key of two parts, so finding a handle makes no string.
    private struct Key: Hashable { var label: String; var operation: String }
    private let counters = NIOLockedValueBox<[Key: CoreMetrics.Counter]>([:])
    private let queueDepth: CoreMetrics.Gauge?
    private let queueLag: CoreMetrics.Timer?

    init(backend: String, factory: (any MetricsFactory)?) {
        self.factory = factory
        self.backend = backend
        queueDepth = factory.map { Gauge(label: "ims_gateway_shadow_queue_depth", dimensions: [("backend", backend)], factory: $0) }
        queueLag = factory.map { Timer(label: "ims_gateway_shadow_lag_seconds", dimensions: [("backend", backend)], factory: $0) }
    }

    func compared(operation: String) { count("ims_gateway_shadow_compared_total", operation) }
    func mismatched(operation: String) { count("ims_gateway_shadow_mismatched_total", operation) }
    func dropped(operation: String) { count("ims_gateway_shadow_dropped_total", operation) }
    func secondaryError(operation: String) { count("ims_gateway_shadow_secondary_errors_total", operation) }
    func depth(_ value: Int) { queueDepth?.record(value) }
    func lag(_ duration: Duration) { queueLag?.recordNanoseconds(duration.nanoseconds) }

    private func count(_ label: String, _ operation: String) {
        guard let factory else { return }
        let key = Key(label: label, operation: operation)
        let counter = counters.withLockedValue { made in
            if let counter = made[key] { return counter }
            let counter = Counter(label: label, dimensions: [("backend", backend), ("operation", operation)], factory: factory)
            made[key] = counter
            return counter
        }
        counter.increment()
    }
}
