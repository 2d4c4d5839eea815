/// The errors every backend speaks; each dialect renders them in its own shape.
public enum CanonicalError: Error, Sendable, Equatable, Codable {
    /// `kind` is the resource ("image", "application", "job", "compute_resource"…).
    case notFound(kind: String, id: String)
    /// Bad input, with the canonical field it concerns and a Rails-style phrase
    /// ("can't be blank", "is too long (maximum is 128 characters)").
    case invalidParameter(field: String, message: String)
    /// The request body could not be read at all.
    case malformedBody(String)
    case conflict(field: String, message: String)
    /// The request is understood but refused by a rule of the resource (its state, its shares…).
    case rejected(RejectReason, String)
    case unauthorized(String)
    case forbidden(String)
    case `internal`(String)
    /// The backend could not be reached or did not answer in time.
    case unavailable(String)
    /// The body is over the configured `max_body_bytes` (HTTP 413 in every dialect).
    case tooLarge(limit: Int)
    /// No route of the dialect has this path (`allowed` empty: 404), or none with this method
    /// (`allowed` lists the methods it has: 405).
    case noRoute(method: String, path: String, allowed: [String])
}

extension CanonicalError {
    /// A value another record holds where only one may (Rails' phrase, as every dialect says it).
    public static func taken(_ field: String) -> CanonicalError { .conflict(field: field, message: "has already been taken") }

    /// The error's kind alone (a bounded label for metrics and logs).
    public var kind: String {
        switch self {
        case .notFound: "notFound"
        case .invalidParameter: "invalidParameter"
        case .malformedBody: "malformedBody"
        case .conflict: "conflict"
        case .rejected: "rejected"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .internal: "internal"
        case .unavailable: "unavailable"
        case .tooLarge: "tooLarge"
        case .noRoute: "noRoute"
        }
    }
}

extension CanonicalError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notFound(let kind, let id): "\(kind) not found by id '\(id)'"
        case .invalidParameter(let field, let message): "\(field) \(message)"
        case .malformedBody(let why): "malformed body: \(why)"
        case .conflict(let field, let message): "\(field) \(message)"
        case .rejected(_, let why): why
        case .unauthorized(let why): why
        case .forbidden(let why): why
        case .internal(let why): why
        case .unavailable(let why): why
        case .tooLarge(let limit): "the body is larger than \(limit) bytes"
        case .noRoute(let method, let path, let allowed) where allowed.isEmpty: "no route for \(method) \(path)"
        case .noRoute(let method, let path, let allowed): "\(path) does not allow \(method) (it allows \(allowed.joined(separator: ", ")))"
        }
    }
}

/// Why a well-formed request was refused; dialects with specific codes for these (CECSTACK's
/// `IMG.OperationFailed.*`) map each one, the others answer their generic refusal.
public enum RejectReason: String, Sendable, Codable {
    case wrongStatus, imageIsShared, alreadyShared, notShared, duplicateUserId, invalidUserId, notShareable
    case sizeMismatch, uploadFailed, uploadNotAllowed, downloadNotAllowed, tooMany
    /// A catalogue entry that images still hang under.
    case inUse
}
