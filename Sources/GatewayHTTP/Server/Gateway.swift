import HTTPTypes
import IMSModel
import IMSService
import Logging
import NIOCore

/// The way of one request (DESIGN §1), as one function: route → read → authenticate → decode →
/// run → encode. The HTTP middleware, `explain` and tests all call `handle`; nothing else walks
/// the pipeline, so what `explain` shows is what a client gets.
public struct Gateway: Sendable {
    /// `nil` for a gateway that only decodes (`explain` without `--run`).
    let backends: BackendGraph?
    let metrics: GatewayMetrics?

    public init(backends: BackendGraph?, metrics: GatewayMetrics? = nil) {
        self.backends = backends
        self.metrics = metrics
    }

    /// A request as the pipeline takes it; the body is read only when the route needs it.
    public struct Request: Sendable {
        public var method: HTTPRequest.Method
        public var path: String
        /// The raw query string (without `?`).
        public var query: String
        public var headers: HTTPFields
        public var requestId: String
        /// Where clients reach the gateway (for URLs it hands out).
        public var publicURL: String
        public var body: @Sendable () async throws(CanonicalError) -> ByteBuffer
        /// `false` when the request is known to have none (an HTTP head that announces no
        /// body): `body` is then not called, one `await` less on every GET.
        public var hasBody = true

        public init(method: HTTPRequest.Method, path: String, query: String = "", headers: HTTPFields = [:],
                    requestId: String, publicURL: String = "",
                    body: @escaping @Sendable () async throws(CanonicalError) -> ByteBuffer = { ByteBuffer() }) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.requestId = requestId
            self.publicURL = publicURL
            self.body = body
        }
    }

    public enum Answer: Sendable {
        /// Not a dialect's path: the rest of the router answers it.
        case notOurs
        /// Decoded and stopped there (`Mode.decodeOnly`).
        case decoded
        case response(DialectResponse)
        /// An image's bytes, to be streamed.
        case download(ImageDownload)
    }

    public enum Mode: Sendable { case run, decodeOnly }

    /// What happened on the way, for the log line, metrics and `explain`.
    public struct Trace: Sendable {
        public enum Stage: Sendable { case route, identity, decode, run, encode }
        public var route: Route?
        public var parameters: [String: String] = [:]
        public var identity: Identity?
        public var command: Command?
        /// Where a failure stopped the request, and what it was (before the client's wording).
        public var failed: (stage: Stage, error: CanonicalError)?
        public var status: Int = 0
    }

    nonisolated(nonsending) public func handle(_ request: Request, in snapshot: LiveConfig.Snapshot, mode: Mode = .run,
                       logger: Logger) async -> (Answer, Trace) {
        var trace = Trace()
        let (table, dialects) = (snapshot.table, snapshot.dialects)
        var reader = RequestReader(request)
        // A route chosen by a parameter (`?action=…`, or a form field) needs the parameters first,
        // and is matched again with them; any other route is found by the first match.
        var unreadable: CanonicalError?
        var found = table.match(request.method, request.path, ignoringSelectors: true)
        if found?.route.selector != nil {
            do { try await reader.readFields() } catch { unreadable = error }
            found = table.match(request.method, request.path, parameter: reader.parameter)
        }
        let match: RouteMatch
        let dialect: any Dialect
        if let found, let known = dialects[found.route.dialect] {
            (match, dialect) = (found, known)
        } else if let owner = table.owner(of: request.path), let known = dialects[owner] {
            // A path in a dialect's territory that no route serves: the dialect's 404 or 405.
            let allowed = table.methods(at: request.path).map(\.rawValue)
            let route = Route(dialect: owner, method: request.method, template: request.path, operation: .document)
            (match, dialect) = (RouteMatch(route: route, parameters: [:], unmatched: unreadable ?? CanonicalError.noRoute(
                method: request.method.rawValue, path: request.path, allowed: allowed)), known)
        } else {
            return (.notOurs, trace)
        }
        trace.route = match.route
        trace.parameters = match.parameters
        let isDocument = match.route.operation == .document && match.unmatched == nil
        // A document a route file marks `auth: none` (Foreman's Apipie description, which
        // clients read before they log in) is public; every other route checks credentials.
        if isDocument, match.route.defaults["auth"] == "none" {
            return finish(document(match, dialect: dialect, table: table), &trace)
        }
        var dialectRequest = DialectRequest(route: match.route, parameters: match.parameters, headers: request.headers,
                                            requestId: request.requestId)
        dialectRequest.method = request.method
        dialectRequest.path = request.path
        dialectRequest.publicURL = request.publicURL
        var stage = Trace.Stage.identity
        do {
            let identity: Identity
            if let scheme = dialect.authScheme {
                // A signature covers the parameters: they are read before it is checked.
                try await reader.readFields()
                // The decoder reads a body of any type, the signature only a form's: any other body
                // would ride along unsigned on a captured request (`images.2` added to a DeleteImages).
                // (With no credentials configured nothing is signed or checked.)
                guard !snapshot.authenticator.isEnabled || reader.body.readableBytes == 0 || reader.bodyIsForm else {
                    throw CanonicalError.unauthorized("a signed request's body must be a form (application/x-www-form-urlencoded)")
                }
                let signed = AuthRequest(dialect: dialect.id, method: request.method.rawValue, path: request.path,
                                         parameters: reader.query + reader.formFields)
                identity = try await snapshot.authenticator.identity(for: signed, scheme: scheme)
            } else {
                identity = try await snapshot.authenticator.identity(for: dialect.credential(dialectRequest))
            }
            trace.identity = identity
            stage = .route
            if let unmatched = match.unmatched { throw unmatched }
            if isDocument { return finish(document(match, dialect: dialect, table: table), &trace) }
            stage = .decode
            try await reader.read()
            (dialectRequest.query, dialectRequest.body) = (reader.query, reader.body)
            let decoded = try dialect.decode(dialectRequest)
            trace.command = decoded.command
            if mode == .decodeOnly { return (.decoded, trace) }
            stage = .run
            guard let backend = backends?.backend(for: match.route) else { throw CanonicalError.internal("no backend to run the command on") }
            if case .downloadImage(let selector) = decoded.command {
                let download = try await timed { try await bound(request, backend, route: match.route) { try await backend.download(selector, as: identity) } }
                trace.status = 200
                return (.download(download), trace)
            }
            let result = try await timed { try await bound(request, backend, route: match.route) { try await backend.execute(decoded.command, as: identity) } }
            stage = .encode
            return finish(try dialect.encode(result, for: decoded.echo), &trace)
        } catch {
            let canonical = error as? CanonicalError ?? .internal("\(error)")
            trace.failed = (stage, canonical)
            return finish(dialect.encode(answerable(canonical, requestId: request.requestId, logger: logger), for: dialectRequest), &trace)
        }
    }

    private func finish(_ response: DialectResponse, _ trace: inout Trace) -> (Answer, Trace) {
        trace.status = Int(response.status.code)
        return (.response(response), trace)
    }

    /// A document the dialect generates from its routes (`/apidoc/v2.json`, `/api/status`).
    func document(_ match: RouteMatch, dialect: any Dialect, table: RouteTable) -> DialectResponse {
        let document = dialect.document(match.parameters["name"] ?? "", routes: table.routes.filter { $0.dialect == dialect.id })
        return DialectResponse(status: document == nil ? .notFound : .ok, body: document ?? ["error": "no such document"])
    }

    /// What a client may be told of a failure. An internal error's detail (a Swift error, a
    /// store's message) goes to the log under the request id; the answer only names the request.
    /// (`.unavailable` texts are written for clients by the backend that raises them.)
    func answerable(_ error: CanonicalError, requestId: String, logger: Logger) -> CanonicalError {
        guard case .internal(let detail) = error else { return error }
        logger.error("internal error", metadata: ["request_id": .string(requestId), "detail": .string(detail)])
        return .internal("internal error (request \(requestId))")
    }

    /// Runs a backend call with what a remote backend forwards: the request id, and the client's
    /// `Idempotency-Key` if it sent one (else the backend makes one per mutation).
    nonisolated(nonsending) func bound<T>(_ request: Request, _ backend: any Backend, route: Route? = nil,
                                          _ call: nonisolated(nonsending) () async throws -> T) async throws -> T {
        guard backend.forwardsRequestContext else { return try await call() }
        return try await RequestIDs.$current.withValue(request.requestId) {
            try await RequestIDs.$route.withValue(route.map { RequestIDs.RouteName(dialect: $0.dialect.rawValue, operation: $0.operation.rawValue) }) {
                guard let key = request.headers[.idempotencyKey], !key.isEmpty else { return try await call() }
                return try await IdempotencyKey.$clientKey.withValue(IdempotencyKey.normalized(key)) { try await call() }
            }
        }
    }

    /// Times a backend call for the backend latency metric.
    nonisolated(nonsending) func timed<T>(_ call: nonisolated(nonsending) () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        do {
            let value = try await call()
            metrics?.backend("ok", duration: ContinuousClock.now - started)
            return value
        } catch {
            metrics?.backend((error as? CanonicalError)?.kind ?? "error", duration: ContinuousClock.now - started)
            throw error
        }
    }
}
