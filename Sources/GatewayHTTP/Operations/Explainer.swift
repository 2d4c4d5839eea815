import Foundation
import HTTPTypes
import IMSModel
import NIOCore

/// What the gateway would do with one request, without a server: the route that matches, the
/// identity its credential proves, the canonical command it becomes and, when asked to run it,
/// the dialect's answer. Behind `ims-gateway explain`; it runs `Gateway.handle`, the pipeline
/// every request takes, and prints what it saw on the way.
public struct Explainer: Sendable {
    let config: GatewayConfig
    let compiled: [any Dialect]

    public init(config: GatewayConfig, dialects: [any Dialect]) {
        self.config = config
        compiled = dialects
    }

    public struct Outcome: Sendable {
        public var lines: [String]
        public var operation: Operation?
        public var command: Command?
        public var answer: DialectResponse?
        public var text: String { lines.joined(separator: "\n") }
    }

    public func explain(method: String, path: String, headers: [(String, String)] = [], body: String? = nil,
                        run: Bool = false) async throws -> Outcome {
        var out = Outcome(lines: [])
        let made = try LiveConfig.Snapshot.make(config, compiled: compiled)
        // The credentials alone: no cache that a running gateway's answers could depend on.
        let snapshot = LiveConfig.Snapshot(dialects: made.dialects, table: made.table,
                                           authenticator: try config.authenticatorWithoutCache(dialects: made.dialects))
        guard let httpMethod = HTTPRequest.Method(method.uppercased()) else { throw GatewayStartError("bad method \(method)") }
        let parts = path.split(separator: "?", maxSplits: 1)
        var fields = HTTPFields()
        for (name, value) in headers {
            guard let field = HTTPField.Name(name) else { throw GatewayStartError("bad header name '\(name)'") }
            fields[field] = value
        }
        let bytes = ByteBuffer(string: body ?? "")
        let request = Gateway.Request(method: httpMethod, path: String(parts.first ?? ""), query: parts.count > 1 ? String(parts[1]) : "",
                                      headers: fields, requestId: "explain",
                                      publicURL: config.publicURL ?? "http://\(config.listen.host):\(config.listen.port)") { bytes }
        let gateway = Gateway(backends: run ? try BackendFactory.open(config, alsoNamed: made.table.routes.compactMap(\.backend)) : nil)
        let (answer, trace) = await gateway.handle(request, in: snapshot, mode: run ? .run : .decodeOnly, logger: .init(label: "explain"))
        // A path in a dialect's territory that no route serves is answered under a route made
        // for it, declared nowhere.
        guard let route = trace.route, !route.source.isEmpty else {
            out.lines.append("no route matches \(httpMethod) \(request.path)")
            return out
        }
        out.operation = route.operation
        out.lines.append("route:     \(route.dialect.rawValue) \(route.method) \(route.template)")
        out.lines.append("declared:  \(route.source)")
        out.lines.append("operation: \(route.operation.rawValue)")
        let backend = route.backend ?? config.use
        out.lines.append("backend:   \(backend) (\(config.backends[backend]?.kind.rawValue ?? "?"))")
        if !trace.parameters.isEmpty {
            out.lines.append("params:    " + trace.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        if route.operation == .document, trace.failed == nil {
            out.lines.append("document:  \(trace.parameters["name"] ?? "") (generated from the route table)")
            return out
        }
        if snapshot.authenticator.isEnabled {
            if let identity = trace.identity {
                out.lines.append("identity:  user \(identity.user), tenant \(identity.tenant)\(identity.isOperator ? ", operator" : "")")
            } else {
                out.lines.append("identity:  rejected (no valid \(route.dialect.rawValue) credential)")
            }
        }
        if let (stage, error) = trace.failed, stage == .decode { out.lines.append("decode:    \(error)") }
        if let command = trace.command {
            out.command = command
            out.lines.append("command:")
            out.lines.append(Self.pretty(command))
        }
        if case .response(let response) = answer {
            out.answer = response
            if trace.failed == nil || trace.failed?.stage == .run || trace.failed?.stage == .encode { out.lines.append("answer:") }
            out.lines.append(Self.render(response))
        }
        return out
    }

    static func pretty(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
    }

    static func render(_ response: DialectResponse) -> String {
        "HTTP \(response.status.code)\n" + (response.body.map { pretty($0) } ?? "")
    }
}
