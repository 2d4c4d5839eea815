import HTTPTypes
import IMSModel
import NIOCore

/// One legacy API: turns its requests into canonical commands and canonical answers back into
/// its own envelopes. Pure functions over canonical types, so they are testable without a server.
public protocol Dialect: Sendable {
    var id: DialectID { get }
    /// The request as a command, and what its answer will repeat of it (DESIGN §1).
    func decode(_ request: DialectRequest) throws(CanonicalError) -> Decoded
    /// The answer to a result, from the result and the decoder's `Echo` alone: an encoder never
    /// re-reads the request. A result the operation cannot have (a list for a get, a page for a
    /// delete) is `CanonicalError.internal`, never an answer made up for it.
    func encode(_ result: CommandResult, for echo: Echo) throws(CanonicalError) -> DialectResponse
    /// Errors may come before the request is decoded (a bad credential, a malformed body), so
    /// they are answered from the request itself.
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

/// A decoded request: the command to run and what its answer echoes.
public struct Decoded: Sendable {
    public var command: Command
    public var echo: Echo

    public init(_ command: Command, _ echo: Echo) {
        self.command = command
        self.echo = echo
    }
}

/// What an answer takes from its request, read once by the decoder: the operation it answers,
/// the request id and public URL it may repeat, and the list parameters it echoes, as the client
/// gave them. A small value (no collections), so decoding a GET allocates nothing more for it.
public struct Echo: Sendable, Equatable {
    public var operation: Operation
    public var requestId: String
    /// Where clients reach the gateway (for URLs an answer hands out, such as upload targets).
    public var publicURL: String
    /// The page asked for, from 1.
    public var page: Int = 1
    /// The page size asked for; `nil` when the client gave none, or asked for every item.
    public var pageSize: Int?
    /// The client asked for every item in one page (Foreman's `per_page=all`).
    public var everything = false
    public var search: String?
    /// The sort as the client wrote it (`name DESC`).
    public var order: String?
    /// Only what identifies each item (Foreman's `thin`).
    public var thin = false
    /// The action a parameter chose (an action API's `action=DescribeImages`).
    public var action: String?

    public init(operation: Operation, requestId: String, publicURL: String = "") {
        self.operation = operation
        self.requestId = requestId
        self.publicURL = publicURL
    }

    /// An encoder's answer to a result its operation cannot have.
    public func unexpected(_ result: CommandResult, in dialect: DialectID) -> CanonicalError {
        .internal("\(dialect.rawValue) has no answer to \(result.kind) for \(operation.rawValue)")
    }
}

extension DialectRequest {
    /// The echo every answer has (operation, request id, public URL), for the decoder to add to.
    public var echo: Echo { Echo(operation: operation, requestId: requestId, publicURL: publicURL) }
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
