import Foundation
import HTTPTypes
import NIOCore

/// What the gateway would do with one request, without a server: the route that matches, the
/// identity its credential proves, the canonical command it becomes and, when asked to run it,
/// the dialect's answer. Behind `ims-gateway explain`.
public struct Explainer: Sendable {
    let config: GatewayConfig
    let dialects: [any Dialect]

    public init(config: GatewayConfig, dialects: [any Dialect]) {
        self.config = config
        self.dialects = dialects
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
        let table = try config.routeTable()
        guard let httpMethod = HTTPRequest.Method(method.uppercased()) else { throw GatewayStartError("bad method \(method)") }
        let parts = path.split(separator: "?", maxSplits: 1)
        let routePath = String(parts.first ?? "")
        guard let match = table.match(httpMethod, routePath) else {
            out.lines.append("no route matches \(httpMethod) \(routePath)")
            return out
        }
        out.operation = match.route.operation
        out.lines.append("route:     \(match.route.dialect.rawValue) \(match.route.method) \(match.route.template)")
        out.lines.append("declared:  \(match.route.source)")
        out.lines.append("operation: \(match.route.operation.rawValue)")
        if !match.parameters.isEmpty {
            out.lines.append("params:    " + match.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        var fields = HTTPFields()
        for (name, value) in headers {
            guard let field = HTTPField.Name(name) else { throw GatewayStartError("bad header name '\(name)'") }
            fields[field] = value
        }
        var request = DialectRequest(route: match.route, parameters: match.parameters,
                                     query: try DialectRequest.parseForm(parts.count > 1 ? String(parts[1]) : ""),
                                     headers: fields, body: ByteBuffer(string: body ?? ""), requestId: "explain")
        request.publicURL = config.publicURL ?? "http://\(config.listen.host):\(config.listen.port)"
        guard let dialect = dialects.first(where: { $0.id == match.route.dialect }) else { return out }
        if match.route.operation == .document {
            out.lines.append("document:  \(match.parameters["name"] ?? "") (generated from the route table)")
            return out
        }
        let authenticator = try config.authenticatorWithoutCache()
        var identity = Identity.anonymousOperator
        if authenticator.isEnabled {
            do {
                identity = try await authenticator.identity(for: dialect.credential(request))
                out.lines.append("identity:  user \(identity.user), tenant \(identity.tenant)\(identity.isOperator ? ", operator" : "")")
            } catch {
                out.lines.append("identity:  rejected (no valid \(dialect.id.rawValue) credential)")
                out.answer = dialect.encode(error, for: request)
                out.lines.append(Self.render(out.answer!))
                return out
            }
        }
        let command: Command
        do {
            command = try dialect.decode(request)
        } catch {
            out.lines.append("decode:    \(error)")
            out.answer = dialect.encode(error, for: request)
            out.lines.append(Self.render(out.answer!))
            return out
        }
        out.command = command
        out.lines.append("command:")
        out.lines.append(Self.pretty(command))
        guard run else { return out }
        let backend = try makeBackend(config)
        do {
            out.answer = dialect.encode(try await backend.execute(command, as: identity), for: request)
        } catch {
            out.answer = dialect.encode(error, for: request)
        }
        out.lines.append("answer:")
        out.lines.append(Self.render(out.answer!))
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
