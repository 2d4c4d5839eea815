import HTTPTypes
import IMSModel

/// One route from a route file: method + path template → dialect and canonical operation.
///
/// A class with constant fields: a request carries its route through the match, the dialect
/// request and the trace, and as a struct of eight reference-counted fields each of those copies
/// cost seven retains (~20 of a GET's, counted with uprobes); a class reference costs one.
public final class Route: Sendable, Equatable {
    public let dialect: DialectID
    public let method: HTTPRequest.Method
    /// Full template including the mount prefix, e.g. `/api/compute_resources/{compute_resource_id}/images`.
    public let template: String
    public let operation: Operation
    /// Fixed values the dialect reads like path parameters (e.g. `scope: public`).
    public let defaults: [String: String]
    /// Where the route was declared, for error messages.
    public let source: String
    /// The mount the template starts with (`/api`, `/v2/zone/{zone}`, or empty).
    public let mount: String
    /// A request parameter that picks this route among others at the same path (an action API's
    /// `action`): the route serves requests whose parameter equals `defaults[selector]`.
    public let selector: String?
    /// The `backends:` entry this route runs on; `nil`: the one `use:` names.
    public let backend: String?

    public init(dialect: DialectID, method: HTTPRequest.Method, template: String, operation: Operation,
                defaults: [String: String] = [:], source: String = "", mount: String = "", selector: String? = nil,
                backend: String? = nil) {
        self.mount = mount
        self.backend = backend
        self.selector = selector
        self.dialect = dialect
        self.method = method
        self.template = template
        self.operation = operation
        self.defaults = defaults
        self.source = source
    }

    public static func == (a: Route, b: Route) -> Bool {
        (a.dialect, a.method, a.template, a.operation) == (b.dialect, b.method, b.template, b.operation)
            && (a.source, a.mount, a.selector) == (b.source, b.mount, b.selector) && a.defaults == b.defaults && a.backend == b.backend
    }
}

/// A matched route with its path parameters.
public struct RouteMatch: Sendable {
    public var route: Route
    public var parameters: [String: String]
    /// Set when no route matched and the dialect owning the path answers it with this error.
    public var unmatched: CanonicalError? = nil
}

/// The compiled route map. Matching is by method, then segment count, then segment by segment;
/// literal segments win over parameters, so `/images/import` beats `/images/{id}`.
public struct RouteTable: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// A class: a match walks its bucket's candidates, and walking structs copied each one
    /// (its route's strings, defaults and segments) per candidate per request.
    final class Compiled: Sendable {
        let route: Route
        let segments: [Segment]
        let literalCount: Int

        init(route: Route, segments: [Segment], literalCount: Int) {
            self.route = route
            self.segments = segments
            self.literalCount = literalCount
        }
    }

    /// Routes by method and segment count, the two things a request names without parsing.
    struct BucketKey: Hashable, Sendable {
        var method: HTTPRequest.Method
        var count: Int
    }

    private var buckets: [BucketKey: [Compiled]] = [:]
    public private(set) var routes: [Route] = []
    /// Whether any route is chosen by a parameter (else no request needs its parameters read to be routed).
    private var hasSelectors = false
    /// Each dialect's territory, longest first: its mounts, or for a route mounted at the root
    /// its first segment. A path no route matches still belongs to a dialect, which answers it.
    private var territories: [(prefix: [Segment], dialect: DialectID)] = []
    /// The first path segments any route or territory starts with ("" for a route at `/`);
    /// `nil` when some route starts with a parameter, so any path may be one of ours.
    private var firstSegments: Set<Substring>? = []

    public init(_ routes: [Route]) throws(RouteError) {
        for route in routes { try add(route) }
    }

    static func segments(of template: String) -> [Segment] {
        template.split(separator: "/", omittingEmptySubsequences: true).map { part in
            if part.hasPrefix("{"), part.hasSuffix("}") {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
    }

    private mutating func add(_ route: Route) throws(RouteError) {
        guard route.template.hasPrefix("/") else { throw .badTemplate(route, "must start with /") }
        let segments = Self.segments(of: route.template)
        for case .parameter(let name) in segments where name.isEmpty {
            throw .badTemplate(route, "empty parameter name")
        }
        let key = BucketKey(method: route.method, count: segments.count)
        let literalCount = segments.filter { if case .literal = $0 { true } else { false } }.count
        if let clash = buckets[key]?.first(where: { Self.sameShape($0.segments, segments) && Self.sameChoice($0.route, route) }) {
            throw .duplicate(route, clash.route)
        }
        buckets[key, default: []].append(Compiled(route: route, segments: segments, literalCount: literalCount))
        // Routes chosen by a parameter are tried before one at the same path that is not.
        buckets[key]!.sort { ($0.literalCount, $0.route.selector == nil ? 0 : 1) > ($1.literalCount, $1.route.selector == nil ? 0 : 1) }
        routes.append(route)
        hasSelectors = hasSelectors || route.selector != nil
        claimFirstSegment(of: segments)
        let prefix = route.mount.isEmpty ? Array(segments.prefix(1)) : Self.segments(of: route.mount)
        claimFirstSegment(of: prefix)
        if !prefix.isEmpty, !territories.contains(where: { $0.prefix == prefix }) {
            territories.append((prefix, route.dialect))
            territories.sort { $0.prefix.count > $1.prefix.count }
        }
    }

    /// Notes where a route or territory starts, for `claims` ("" for the root).
    private mutating func claimFirstSegment(of segments: [Segment]) {
        switch segments.first {
        case .literal(let text)?: firstSegments?.insert(Substring(text))
        case .parameter?: firstSegments = nil
        case nil: firstSegments?.insert("")
        }
    }

    /// Whether two routes at one path would serve the same requests: neither is chosen by a
    /// parameter, or both by the same parameter's same value.
    private static func sameChoice(_ a: Route, _ b: Route) -> Bool {
        a.selector == b.selector && a.selector.map { a.defaults[$0] == b.defaults[$0] } ?? true
    }

    private static func sameShape(_ a: [Segment], _ b: [Segment]) -> Bool {
        zip(a, b).allSatisfy { x, y in
            switch (x, y) {
            case (.literal(let l), .literal(let r)): l == r
            case (.parameter, .parameter): true
            default: false
            }
        }
    }

    /// Finds the route for a request path (no query string). Path parameters are percent-decoded.
    /// `parameter` reads the request's parameters for routes chosen by one; without it, only
    /// routes that are not chosen so match (`nil`), and `ignoringSelectors` matches them all.
    public func match(_ method: HTTPRequest.Method, _ path: some StringProtocol,
                      parameter: ((String) -> String?)? = nil, ignoringSelectors: Bool = false) -> RouteMatch? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let candidates = buckets[BucketKey(method: method, count: parts.count)] else { return nil }
        // Literals first, without building anything: most candidates fail on one.
        guard let found = candidates.first(where: { candidate in
            zip(candidate.segments, parts).allSatisfy { segment, part in
                if case .literal(let text) = segment { text == part } else { true }
            } && (ignoringSelectors || candidate.route.selector.map { name in
                parameter?(name).map { $0 == candidate.route.defaults[name] } ?? false
            } ?? true)
        }) else { return nil }
        var parameters = found.route.defaults
        for case (.parameter(let name), let part) in zip(found.segments, parts) {
            parameters[name] = part.utf8.contains(UInt8(ascii: "%")) ? String(part).removingPercentEncoding ?? String(part) : String(part)
        }
        return RouteMatch(route: found.route, parameters: parameters)
    }
}

extension RouteTable {
    /// The dialect whose territory holds `path` (for answering a path no route matches).
    public func owner(of path: some StringProtocol) -> DialectID? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return territories.first { territory in
            territory.prefix.count <= parts.count && zip(territory.prefix, parts).allSatisfy { segment, part in
                if case .literal(let text) = segment { text == part } else { true }
            }
        }?.dialect
    }

    /// Whether `path` may be a dialect's (a route's or a territory's): a look at its first
    /// segment, without splitting it, so the gateway's own endpoints (`/healthz`, `/metrics`,
    /// uploads) pass the dialects by at the cost of one set lookup.
    public func claims(_ path: some StringProtocol) -> Bool {
        guard let firstSegments else { return true }
        let trimmed = path.drop { $0 == "/" }
        return firstSegments.contains(Substring(trimmed.prefix { $0 != "/" }))
    }

    /// Whether a route at `path` is chosen by a request parameter: its parameters must then be
    /// read before the route is known.
    public func selects(_ method: HTTPRequest.Method, _ path: some StringProtocol) -> Bool {
        hasSelectors && match(method, path, ignoringSelectors: true)?.route.selector != nil
    }

    /// The methods some route serves at `path`, for a 405's `Allow`.
    public func methods(at path: some StringProtocol) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return buckets.keys.filter { $0.count == parts.count }.map(\.method)
            .filter { match($0, path, ignoringSelectors: true) != nil }
            .sorted { $0.rawValue < $1.rawValue }
    }
}

public enum RouteError: Error, Sendable, CustomStringConvertible {
    case badTemplate(Route, String)
    case duplicate(Route, Route)
    case file(String, String)

    public var description: String {
        switch self {
        case .badTemplate(let r, let why): "\(r.source): \(r.method) \(r.template): \(why)"
        case .duplicate(let r, let other):
            "\(r.source): \(r.method) \(r.template) conflicts with \(other.method) \(other.template) (\(other.source))"
        case .file(let path, let why): "\(path): \(why)"
        }
    }
}
