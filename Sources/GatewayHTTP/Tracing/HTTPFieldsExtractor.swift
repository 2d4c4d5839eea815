import HTTPTypes
import Instrumentation

/// Reads a request's trace context (`traceparent`, `tracestate`, or whatever the bootstrapped
/// instrument propagates) from its header fields.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from fields: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { fields[$0] }
    }
}
