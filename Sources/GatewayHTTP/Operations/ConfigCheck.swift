import Foundation
import HTTPTypes
import IMSStorePostgres
import Yams

/// Checks a deployment config and every file it names before it is deployed, reporting each
/// problem with its file and line: unknown keys and operations, bad methods, paths and mounts,
/// duplicate or conflicting routes, a backend missing what it needs, missing files.
public enum ConfigCheck {
    public struct Problem: Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    static let topKeys: Set<String> = ["listen", "routes", "dialects", "catalog", "max_body_bytes", "users", "flavors", "export",
                                       "job_delay_ms", "public_url", "auth", "canonical_api", "imports", "backends", "use"]
    static let routeKeys: Set<String> = ["method", "path", "operation", "mounts", "defaults", "backend"]

    /// Checks the config at `path` for a gateway that compiles in `compiled`.
    public static func run(path: String, compiled: [any Dialect]) -> [Problem] {
        var dialects = DialectRegistry(compiled)
        var problems: [Problem] = []
        func problem(_ file: String, _ node: Node?, _ message: String) {
            problems.append(Problem(file: file, line: node?.mark?.line ?? 1, message: message))
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return [Problem(file: path, line: 1, message: "cannot read the file")]
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            return [Problem(file: path, line: (error as? YamlError).flatMap(line) ?? 1, message: "not YAML: \(error)")]
        }
        guard let mapping = root?.mapping else { return [Problem(file: path, line: 1, message: "must be a mapping")] }
        let former = FormerConfig.findings(in: text)
        if !former.isEmpty {
            return former.map { Problem(file: path, line: $0.line, message: "\($0.old) is no longer read; write \($0.new)") }
                + [Problem(file: path, line: 1, message: "`ims-gateway config upgrade \(path)` prints the whole file in the current form")]
        }
        for (key, _) in mapping where !topKeys.contains(key.string ?? "") {
            problem(path, key, "unknown key '\(key.string ?? "")'")
        }
        let config: GatewayConfig
        do {
            config = try GatewayConfig.load(path: path)
        } catch {
            problem(path, root, "does not load: \(error)")
            return problems
        }
        let entries = mapping["backends"]?.mapping
        for (name, entry) in config.backends.sorted(by: { $0.key < $1.key }) {
            let node = entries?[name]
            for (key, _) in node?.mapping ?? [:] where !entry.keysRead.contains(key.string ?? "") {
                problem(path, key, "backends.\(name): kind \(entry.kind.rawValue) does not read '\(key.string ?? "")'")
            }
            if entry.kind == .remote {
                if entry.url == nil { problem(path, node, "backends.\(name): kind remote needs url") }
                if entry.token == nil, entry.tokenEnv == nil { problem(path, node, "backends.\(name): kind remote needs token or token_env") }
            }
            if entry.kind == .shadow {
                if entry.primary == nil || entry.secondary == nil { problem(path, node, "backends.\(name): kind shadow needs primary and secondary") }
                if entry.primary != nil, entry.primary == entry.secondary { problem(path, node, "backends.\(name): a shadow's primary and secondary are two backends") }
                if let fraction = entry.sampleReads, !(0...1).contains(fraction) { problem(path, node, "backends.\(name): sample_reads is a fraction from 0 to 1") }
            }
        }
        do { _ = try BackendFactory.order(config, from: config.backends.keys.sorted()) } catch { problem(path, mapping["backends"], "\(error)") }
        // Dialect files first: credentials and routes may name their dialects.
        let dialectFiles = mapping["dialects"]?.sequence.map(Array.init) ?? []
        var dataRoutes: [Route] = []
        for (index, file) in config.dialects.enumerated() {
            let resolved = config.resolve(file)
            guard FileManager.default.fileExists(atPath: resolved) else {
                problem(path, index < dialectFiles.count ? dialectFiles[index] : mapping["dialects"], "dialect file \(resolved) does not exist")
                continue
            }
            do {
                let dialect = try DialectFile.load(path: resolved, compiled: DialectRegistry(compiled))
                try dialects.register(dialect)
                dataRoutes += dialect.routes
            } catch let error as DialectFileError {
                problems.append(Problem(file: error.file, line: error.line, message: error.message))
            } catch {
                problem(resolved, nil, "\(error)")
            }
        }
        if let credentials = config.auth.credentials {
            let file = config.resolve(credentials)
            if !FileManager.default.fileExists(atPath: file) {
                problem(path, mapping["auth"]?["credentials"], "credentials file \(file) does not exist")
            } else if let error = Result(catching: { try CredentialStore.load(path: file, dialects: dialects) }).failure {
                problem(file, nil, "\(error)")
            }
        }
        var seen: [(route: Route, file: String, line: Int)] = []
        let routeFiles = mapping["routes"]?.sequence.map(Array.init) ?? []
        for (index, file) in config.routes.enumerated() {
            let resolved = config.resolve(file)
            let node = index < routeFiles.count ? routeFiles[index] : mapping["routes"]
            guard FileManager.default.fileExists(atPath: resolved) else {
                problem(path, node, "route file \(resolved) does not exist")
                continue
            }
            problems += checkRouteFile(resolved, dialects: dialects, backends: config.backends, seen: &seen)
        }
        // The backends routes run on must open: a postgres entry's URL is read only where it is used.
        let used = Set([config.use] + seen.compactMap(\.route.backend))
        for name in used.sorted() where config.backends[name]?.kind == .postgres {
            do { _ = try config.backends[name]?.postgresAddress() } catch {
                problem(path, entries?[name] ?? mapping["use"], "backends.\(name): \(error)")
            }
        }
        for route in dataRoutes {
            let at = route.source.split(separator: ":")
            if let clash = seen.first(where: { (try? RouteTable([$0.route, route])) == nil }) {
                problems.append(Problem(file: String(at.first ?? ""), line: at.last.flatMap { Int($0) } ?? 1,
                                        message: "\(route.method) \(route.template) conflicts with \(clash.route.method) \(clash.route.template) at \(clash.file):\(clash.line)"))
            }
        }
        return problems
    }

    static func checkRouteFile(_ file: String, dialects: DialectRegistry, backends: [String: BackendEntry],
                               seen: inout [(route: Route, file: String, line: Int)]) -> [Problem] {
        var problems: [Problem] = []
        func problem(_ node: Node?, _ message: String) {
            problems.append(Problem(file: file, line: node?.mark?.line ?? 1, message: message))
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8), let root = try? Yams.compose(yaml: text),
              let mapping = root.mapping else {
            return [Problem(file: file, line: 1, message: "not a YAML mapping")]
        }
        guard let dialectName = mapping["dialect"]?.string, case let dialect = DialectID(dialectName), dialects.contains(dialect) else {
            problem(mapping["dialect"] ?? root, "unknown or missing dialect (known: \(dialects.names))")
            return problems
        }
        let fileMounts = mapping["mounts"]?.sequence?.compactMap(\.string) ?? [""]
        func backendNamed(_ node: Node?) -> String? {
            guard let node, let name = node.string else { return nil }
            if backends[name] == nil {
                problem(node, "backend '\(name)' is not under backends: (known: \(backends.keys.sorted().joined(separator: ", ")))")
            }
            return name
        }
        let fileBackend = backendNamed(mapping["backend"])
        for mount in mapping["mounts"]?.sequence ?? [] where !validMount(mount.string ?? "") {
            problem(mount, "bad mount '\(mount.string ?? "")': must start with / and not end with /")
        }
        for entry in mapping["routes"]?.sequence ?? [] {
            guard let route = entry.mapping else { problem(entry, "a route must be a mapping"); continue }
            for (key, _) in route where !routeKeys.contains(key.string ?? "") { problem(key, "unknown route key '\(key.string ?? "")'") }
            let methodText = route["method"]?.string ?? ""
            let method = HTTPRequest.Method(methodText.uppercased())
            if method == nil || methodText.isEmpty { problem(route["method"] ?? entry, "bad or missing method '\(methodText)'") }
            let operationText = route["operation"]?.string ?? ""
            let operation = Operation(rawValue: operationText)
            if operation == nil { problem(route["operation"] ?? entry, "unknown operation '\(operationText)'") }
            let path = route["path"]?.string ?? ""
            if !path.hasPrefix("/") { problem(route["path"] ?? entry, "path '\(path)' must start with /") }
            if path.contains("{}") { problem(route["path"], "empty parameter in '\(path)'") }
            var mounts = fileMounts
            if let own = route["mounts"]?.sequence {
                mounts = own.compactMap(\.string)
                for mount in own where !validMount(mount.string ?? "") {
                    problem(mount, "bad mount '\(mount.string ?? "")': must start with / and not end with /")
                }
            }
            let backend = backendNamed(route["backend"]) ?? fileBackend
            guard let method, let operation, path.hasPrefix("/") else { continue }
            for mount in mounts where validMount(mount) {
                let candidate = Route(dialect: dialect, method: method, template: mount + path, operation: operation, backend: backend)
                let line = entry.mark?.line ?? 1
                if let clash = seen.first(where: { (try? RouteTable([$0.route, candidate])) == nil }) {
                    problem(entry, "\(method) \(mount + path) conflicts with \(clash.route.method) \(clash.route.template) at \(clash.file):\(clash.line)")
                } else {
                    seen.append((candidate, file, line))
                }
            }
        }
        return problems
    }

    /// The backend graph as `config check` prints it: each backend, its kind and where it keeps
    /// things, what it is made of, and the routes it serves.
    public static func describe(_ config: GatewayConfig, table: RouteTable) -> [String] {
        var lines = ["backends (routes that name none run on '\(config.use)'):"]
        let width = config.backends.keys.map(\.count).max() ?? 0
        for name in (try? BackendFactory.order(config, from: config.backends.keys.sorted())) ?? config.backends.keys.sorted() {
            guard let entry = config.backends[name] else { continue }
            let served = table.routes.filter { ($0.backend ?? config.use) == name }
            let byDialect = Dictionary(grouping: served, by: \.dialect.rawValue).map { "\($0.key) \($0.value.count)" }.sorted()
            let place: String = switch entry.kind {
            case .sqlite: entry.path
            case .postgres: (entry.urlEnv.map { "url from $\($0)" } ?? entry.url.map { (try? PGAddress(url: $0, passwordEnv: nil, schema: entry.schema).description) ?? "url" } ?? "no url")
                + (entry.files.map { ", files in \($0)" } ?? "")
            case .remote: entry.url ?? "no url"
            case .glance: (entry.url ?? "no url") + ", index " + (entry.index ?? "none")
            case .shadow: "answers from \(entry.primary ?? "?"), compared with \(entry.secondary ?? "?"), findings in \(entry.record ?? entry.defaultRecord(name))"
            }
            let parts = entry.parts.isEmpty ? "every part its own" : "made of " + entry.parts.joined(separator: ", ")
            let routes = served.isEmpty ? "no routes" : "\(served.count) routes (\(byDialect.joined(separator: ", ")))"
            lines.append("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(entry.kind.rawValue): \(place); \(parts); \(routes)")
        }
        return lines
    }

    static func validMount(_ mount: String) -> Bool {
        mount.isEmpty || (mount.hasPrefix("/") && !mount.hasSuffix("/"))
    }

    static func line(_ error: YamlError) -> Int? {
        if case .parser(_, _, let mark, _) = error { return mark.line }
        if case .scanner(_, _, let mark, _) = error { return mark.line }
        return nil
    }
}

extension Result where Failure == any Error {
    var failure: (any Error)? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
