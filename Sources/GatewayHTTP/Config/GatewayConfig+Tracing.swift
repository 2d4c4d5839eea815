extension GatewayConfig {
    /// `tracing:` — spans per request, per pipeline stage and per backend call, with the trace
    /// context taken from clients (`traceparent` under an OpenTelemetry propagator) and passed
    /// on to remote gateways and Glance. Off by default: a gateway that does not trace pays one
    /// check per request.
    public struct Tracing: Codable, Sendable {
        public var enabled: Bool = false
        /// Where spans go over OTLP/HTTP (e.g. `http://127.0.0.1:4318`); needs a build with the
        /// `OTLP` package trait (`swift build --traits OTLP`), which the default build leaves out.
        public var otlpEndpoint: String?
        public var serviceName: String?

        enum CodingKeys: String, CodingKey {
            case enabled, otlpEndpoint = "otlp_endpoint", serviceName = "service_name"
        }

        public init(enabled: Bool = false) { self.enabled = enabled }
    }
}
