import ArgumentParser
import Dialects
import Foundation
import GatewayCore
import HTTPTypes
import NIOCore

/// What the gateway would do with one request, without a server: the route that matches, the
/// canonical command it becomes and, with `--run`, the dialect's answer.
struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which route a request matches, the canonical command it becomes and (--run) the answer.")

    @OptionGroup var options: ConfigOptions
    @Argument(help: "HTTP method, e.g. GET.") var method: String
    @Argument(help: "Path with query, e.g. '/api/compute_resources/1/images?search=name%20%3D%20x'.") var path: String
    @Option(help: "Request body (JSON or form fields).") var body: String?
    @Option(name: .customLong("header"), help: "A header as 'Name: value' (repeatable).") var headers: [String] = []
    @Flag(help: "Run the command against the configured backend and print the dialect's answer (changes the store).")
    var run = false

    func run() async throws {
        let config = try options.load()
        let table = try config.routeTable()
        guard let httpMethod = HTTPRequest.Method(method.uppercased()) else { throw ValidationError("bad method \(method)") }
        let parts = path.split(separator: "?", maxSplits: 1)
        let routePath = String(parts.first ?? "")
        guard let match = table.match(httpMethod, routePath) else {
            print("no route matches \(httpMethod) \(routePath)")
            throw ExitCode(2)
        }
        print("route:     \(match.route.dialect.rawValue) \(match.route.method) \(match.route.template)")
        print("declared:  \(match.route.source)")
        print("operation: \(match.route.operation.rawValue)")
        if !match.parameters.isEmpty {
            print("params:    " + match.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        var fields = HTTPFields()
        for header in headers {
            let pair = header.split(separator: ":", maxSplits: 1)
            guard pair.count == 2, let name = HTTPField.Name(String(pair[0]).trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("bad header '\(header)': use 'Name: value'")
            }
            fields[name] = String(pair[1]).trimmingCharacters(in: .whitespaces)
        }
        var request = DialectRequest(route: match.route, parameters: match.parameters,
                                     query: DialectRequest.parseForm(parts.count > 1 ? String(parts[1]) : ""),
                                     headers: fields, body: ByteBuffer(string: body ?? ""), requestId: "explain")
        request.publicURL = config.publicURL ?? "http://\(config.listen.host):\(config.listen.port)"
        guard let dialect = Dialects.all.first(where: { $0.id == match.route.dialect }) else { return }
        if match.route.operation == .document {
            print("document:  \(match.parameters["name"] ?? "") (generated from the route table)")
            return
        }
        let authenticator = try config.authenticator()
        var identity = Identity.anonymousOperator
        if authenticator.isEnabled {
            do {
                identity = try authenticator.identity(for: dialect.credential(request))
                print("identity:  user \(identity.user), tenant \(identity.tenant)\(identity.isOperator ? ", operator" : "")")
            } catch {
                print("identity:  rejected (no valid \(dialect.id.rawValue) credential)")
                print(Self.render(dialect.encode(error, for: request)))
                return
            }
        }
        let command: Command
        do {
            command = try dialect.decode(request)
        } catch {
            print("decode:    \(error)")
            print(Self.render(dialect.encode(error, for: request)))
            return
        }
        print("command:")
        print(Self.pretty(command))
        guard run else { return }
        let backend = try makeBackend(config)
        print("answer:")
        do {
            print(Self.render(dialect.encode(try await backend.execute(command, as: identity), for: request)))
        } catch {
            print(Self.render(dialect.encode(error, for: request)))
        }
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
