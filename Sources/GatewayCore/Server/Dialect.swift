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
    /// Whether its secrets are passwords people choose (Foreman's Basic auth): the credentials
    /// file must then give a slow hash (bcrypt), never a fast one.
    var secretsArePasswords: Bool { get }
    /// Which of its keys carries which canonical image field, and how values are written.
    var fields: FieldSlots { get }
    /// Routes the dialect declares itself (a dialect file's actions); compiled dialects are
    /// routed by their route files.
    var routes: [Route] { get }
    /// A built-in scheme that proves who sent the request from the request itself (a signature
    /// over its parameters), used instead of `credential`; its parameters are read first.
    var authScheme: (any AuthScheme)? { get }
}

extension Dialect {
    public func document(_ name: String, routes: [Route]) -> JSONValue? { nil }
    public func input(for route: Route) -> OperationInput { .none }
    public var security: DialectSecurity { DialectSecurity() }
    public var secretsArePasswords: Bool { false }
    public var fields: FieldSlots { FieldSlots(id, []) }
    public var routes: [Route] { [] }
    public var authScheme: (any AuthScheme)? { nil }
}

/// HTTP status, named here so dialects need no HTTPTypes import.
public typealias HTTPStatus = HTTPResponse.Status

/// What a dialect answers: a status, headers and a body — JSON (most answers), or bytes of a
/// type the dialect names (XML, a form, a file), or none.
public struct DialectResponse: Sendable {
    public enum Content: Sendable {
        case json(JSONValue)
        case bytes(ByteBuffer, contentType: String)
    }

    public var status: HTTPResponse.Status
    public var content: Content?
    public var headers: HTTPFields

    public init(status: HTTPResponse.Status = .ok, body: JSONValue?, headers: HTTPFields = [:]) {
        self.status = status
        content = body.map { .json($0) }
        self.headers = headers
    }

    public init(status: HTTPResponse.Status = .ok, bytes: ByteBuffer, contentType: String, headers: HTTPFields = [:]) {
        self.status = status
        content = .bytes(bytes, contentType: contentType)
        self.headers = headers
    }

    /// The body when it is JSON.
    public var body: JSONValue? {
        get { if case .json(let value)? = content { value } else { nil } }
        set { content = newValue.map { .json($0) } }
    }

    /// The body's bytes and type, as sent.
    public func encoded() -> (ByteBuffer, contentType: String)? {
        switch content {
        case .json(let value)?:
            // Sized for a typical answer (an image is ~1 KiB), so writing it rarely reallocates.
            var buffer = ByteBufferAllocator().buffer(capacity: 2_048)
            value.write(into: &buffer)
            return (buffer, "application/json; charset=utf-8")
        case .bytes(let bytes, let type)?: return (bytes, type)
        case nil: return nil
        }
    }
}
