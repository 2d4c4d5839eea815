/// Who a request acts as, once a dialect's credential has been verified.
public struct Identity: Codable, Sendable, Equatable {
    public var user: String
    public var tenant: String
    /// Operators see every tenant's images (the gateway's own identity while auth is off).
    public var isOperator: Bool

    public init(user: String, tenant: String, isOperator: Bool = false) {
        self.user = user
        self.tenant = tenant
        self.isOperator = isOperator
    }

    /// The identity of requests when no authentication is configured.
    public static let anonymousOperator = Identity(user: "admin", tenant: "default", isOperator: true)
}
