import HTTPTypes
import NIOCore

/// One legacy API: turns its requests into canonical commands and canonical answers back into
/// its own envelopes. Pure functions over canonical types, so they are testable without a server.
public protocol Dialect: Sendable {
    var id: DialectID { get }
    func decode(_ request: DialectRequest) throws(CanonicalError) -> Command
    func encode(_ result: CommandResult, for request: DialectRequest) -> DialectResponse
    func encode(_ error: CanonicalError, for request: DialectRequest) -> DialectResponse
    /// A document describing the dialect's routes (e.g. Foreman's `/apidoc/v2.json`), generated
    /// from the route table so it cannot drift from what is served; `nil` if it has none.
    func document(_ name: String, routes: [Route]) -> JSONValue?
    /// The credential the request presents, in this dialect's convention; `nil` if none.
    func credential(_ request: DialectRequest) -> PresentedCredential?
    /// What the route's operation accepts (parameters, headers, body), declared beside the
    /// decoder; the OpenAPI documents are generated from it. Given the route, not only its
    /// operation, because its defaults can change the body (Foreman's catalogue `kind`).
    func input(for route: Route) -> OperationInput
    /// How the dialect's clients authenticate, and the headers every request carries.
    var security: DialectSecurity { get }
}

extension Dialect {
    public func document(_ name: String, routes: [Route]) -> JSONValue? { nil }
    public func input(for route: Route) -> OperationInput { .none }
    public var security: DialectSecurity { DialectSecurity() }
}

/// HTTP status, named here so dialects need no HTTPTypes import.
public typealias HTTPStatus = HTTPResponse.Status

/// What a dialect answers: a status and a JSON body (or none).
public struct DialectResponse: Sendable {
    public var status: HTTPResponse.Status
    public var body: JSONValue?
    public var headers: HTTPFields

    public init(status: HTTPResponse.Status = .ok, body: JSONValue?, headers: HTTPFields = [:]) {
        self.status = status
        self.body = body
        self.headers = headers
    }
}
