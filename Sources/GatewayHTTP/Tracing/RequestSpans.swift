import Hummingbird
import Instrumentation
import Tracing

/// The span a request is served in: its context taken from the request's headers (a client's
/// `traceparent`, or a front gateway's), named by method and route template once matched.
enum RequestSpans {
    nonisolated(nonsending) static func server<T>(_ request: Request, _ body: nonisolated(nonsending) (any Span) async throws -> T) async rethrows -> T {
        var context = ServiceContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &context, using: HTTPFieldsExtractor())
        return try await withSpan("\(request.method.rawValue) \(request.uri.path)", context: context, ofKind: .server) { span in
            try await body(span)
        }
    }

    /// Names the span after the route (paths carry ids; templates group) and records the outcome.
    static func describe(_ span: any Span, _ request: Request, route: Route?, status: Int) {
        if let route {
            span.operationName = "\(request.method.rawValue) \(route.template)"
            span.attributes["http.route"] = route.template
            span.attributes["ims.dialect"] = route.dialect.rawValue
            span.attributes["ims.operation"] = route.operation.rawValue
        }
        span.attributes["http.request.method"] = request.method.rawValue
        span.attributes["http.response.status_code"] = status
        if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
    }
}
