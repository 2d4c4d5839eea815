import Foundation
import HTTPTypes
import IMSModel

/// A request as an authentication scheme sees it: what a signature can cover.
public struct AuthRequest: Sendable {
    /// The dialect whose credentials the request's key is looked up among.
    public var dialect: DialectID
    public var method: String
    /// The path alone, without the query.
    public var path: String
    /// The query's parameters (and a form body's, for a POST), decoded, in the order they came.
    public var parameters: [(name: String, value: String)]
    public var headers: HTTPFields

    public init(dialect: DialectID, method: String, path: String, parameters: [(name: String, value: String)],
                headers: HTTPFields = [:]) {
        self.dialect = dialect
        self.method = method
        self.path = path
        self.parameters = parameters
        self.headers = headers
    }
}

/// A way of proving who sent a request that needs more than a header compared with a hash (a
/// signature over the request, made with a secret both sides hold). A dialect defined as data
/// names one of these built-ins by `name`; the scheme is code, the dialect is not.
public protocol AuthScheme: Sendable {
    var name: String { get }
    /// The identity the request proves, and what files it against replay; every refusal is
    /// `.unauthorized` with a message that names neither the secret nor the signature expected.
    func identity(for request: AuthRequest, in context: AuthContext) throws(CanonicalError) -> SignedIdentity
}

/// What a checked signature proves: who signed, and the key and time under which the request
/// is remembered so that it is accepted once (the caller admits it: `ReplayMemory`).
public struct SignedIdentity: Sendable, Equatable {
    public var identity: Identity
    public var replayKey: String
    /// Until when the request could be accepted, so until when a replay must be refused.
    public var until: Date
}

/// What a scheme checks a request against: the credentials, how far a request's time may be
/// from the gateway's clock, and that clock.
public struct AuthContext: Sendable {
    public var credentials: CredentialStore
    public var window: TimeInterval
    public var now: Date

    public init(credentials: CredentialStore, window: TimeInterval = 900, now: Date = Date()) {
        self.credentials = credentials
        self.window = window
        self.now = now
    }
}

/// The built-in schemes, by name.
public enum AuthSchemes {
    public static let all: [any AuthScheme] = [QueryHMACSchemeV1()]

    public static func named(_ name: String) -> (any AuthScheme)? {
        all.first { $0.name == name }
    }

    public static var names: [String] { all.map(\.name) }
}
