import Dialects
import Foundation
@testable import GatewayHTTP
import InMemoryTracing
import Instrumentation
import Testing
import Tracing

/// With `tracing:` on, a request is one trace from the front gateway to the one behind it: the
/// front's server span, its pipeline stages and its backend call, and the backend gateway's
/// span as the call's child. Spans are kept by an in-memory tracer bootstrapped for the test
/// process (the instrument is process-wide); each test picks out its own trace.
@Suite struct TracingTests {
    static let tracer: InMemoryTracer = {
        let tracer = InMemoryTracer()
        InstrumentationSystem.bootstrap(tracer)
        return tracer
    }()

    @Test func aForemanGetThroughARemoteFrontIsOneTrace() async throws {
        let tracer = Self.tracer
        var gateway = try TestGateway()
        defer { gateway.remove() }
        gateway.config.tracing.enabled = true
        let marker = "trace-\(UUID().uuidString)"
        try await gateway.run(lane: .remote) { client in
            let made = try await client.send(.post, "/api/compute_resources/1/images", body: .json(["image": ["name": "traced", "username": "root", "uuid": "u-1"]]))
            #expect(made.status == 201 || made.status == 200, "\(made.text)")
            let got = try await client.send(.get, "/api/compute_resources/1/images/1", headers: ["X-Request-Id": marker])
            #expect(got.status == 200, "\(got.text)")
        }
        let spans = tracer.finishedSpans
        let front = try #require(spans.first {
            $0.operationName == "GET /api/compute_resources/{compute_resource_id}/images/{id}" && $0.kind == .server
        }, "\(spans.map(\.operationName))")
        let trace = spans.filter { $0.spanContext.traceID == front.spanContext.traceID }
        let backendCall = try #require(trace.first { $0.operationName.hasPrefix("backend ") && $0.kind == .client })
        #expect(backendCall.parentSpanID == front.spanContext.spanID)
        #expect(trace.contains { $0.operationName == "decode" && $0.parentSpanID == front.spanContext.spanID })
        #expect(trace.contains { $0.operationName == "encode" && $0.parentSpanID == front.spanContext.spanID })
        // The backend gateway's span, in the same trace, under the front's call (AsyncHTTPClient's
        // own client span, which passes the context on, stands between them).
        let behind = try #require(trace.first { $0.operationName == "POST /ims/v1/execute" }, "\(trace.map(\.operationName))")
        var ancestor = behind.parentSpanID
        while let id = ancestor, id != backendCall.spanContext.spanID {
            ancestor = trace.first { $0.spanContext.spanID == id }?.parentSpanID
        }
        #expect(ancestor == backendCall.spanContext.spanID)
        #expect(behind.attributes["http.response.status_code"]?.toSpanAttribute() == 200)
        #expect(front.attributes["http.route"]?.toSpanAttribute() == "/api/compute_resources/{compute_resource_id}/images/{id}")
    }
}
