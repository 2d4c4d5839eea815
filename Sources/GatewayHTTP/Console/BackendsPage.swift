import Foundation

/// The console's first page: the backend graph (each entry of `backends:`, its kind, its parts,
/// what it serves and its health) and the route table in force, each route with its backend.
struct BackendsPage: Sendable {
    struct Backend: Sendable {
        var name: String
        var kind: String
        var parts: String
        var role: String
        var ready: Bool
        var health: String
    }

    struct Row: Sendable {
        var method: String
        var template: String
        var operation: String
        var backend: String
    }

    struct Dialect: Sendable {
        var dialect: String
        var routes: [Row]
    }

    var title: String
    var nav: [ConsolePage.Link]
    var generated: String
    var backends: [Backend]
    var dialects: [Dialect]

    init(config: GatewayConfig, graph: BackendGraph, routes: [Route], health: [String: String?]) {
        let page = ConsolePage("/console")
        (title, nav, generated) = (page.title, page.nav, page.generated)
        let routedBy = Dictionary(grouping: routes) { $0.backend ?? graph.defaultName }.mapValues(\.count)
        let partOf = Dictionary(grouping: config.backends.flatMap { entry in entry.value.parts.map { ($0, entry.key) } }) { $0.0 }
            .mapValues { $0.map(\.1).sorted() }
        backends = config.backends.keys.sorted().map { name in
            let entry = config.backends[name]!
            var roles: [String] = []
            if name == graph.defaultName { roles.append("use: (the default)") }
            if let n = routedBy[name], name != graph.defaultName { roles.append("\(n) route\(n == 1 ? "" : "s")") }
            if let owners = partOf[name] { roles.append("part of " + owners.joined(separator: ", ")) }
            let state: (ready: Bool, health: String) = switch health[name] {
            case .none: (false, "not open (no route names it)")
            case .some(.none): (true, "ready")
            case .some(.some(let why)): (false, why)
            }
            return Backend(name: name, kind: entry.kind.rawValue, parts: entry.parts.joined(separator: ", "),
                           role: roles.isEmpty ? "nothing" : roles.joined(separator: "; "), ready: state.ready, health: state.health)
        }
        dialects = Dictionary(grouping: routes, by: \.dialect.rawValue).keys.sorted().map { dialect in
            Dialect(dialect: dialect, routes: routes.filter { $0.dialect.rawValue == dialect }.map {
                Row(method: $0.method.rawValue, template: $0.template, operation: $0.operation.rawValue, backend: $0.backend ?? graph.defaultName)
            })
        }
    }
}
