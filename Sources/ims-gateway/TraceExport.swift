import GatewayHTTP
import ServiceLifecycle
#if OTLP
import OTel
#endif

/// Where spans go: over OTLP/HTTP to `tracing.otlp_endpoint` in a build with the `OTLP` trait;
/// a default build refuses an endpoint rather than drop every span without a word.
enum TraceExport {
    static func services(_ tracing: GatewayConfig.Tracing) throws -> [any Service] {
        guard tracing.enabled, let endpoint = tracing.otlpEndpoint else { return [] }
        #if OTLP
        var configuration = OTel.Configuration.default
        configuration.serviceName = tracing.serviceName ?? "ims-gateway"
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.otlpExporter.endpoint = endpoint
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.propagators = [.traceContext]
        return [try OTel.bootstrap(configuration: configuration)]
        #else
        throw GatewayStartError("tracing.otlp_endpoint: this build exports no traces (\(endpoint)); build with `swift build --traits OTLP`")
        #endif
    }
}
