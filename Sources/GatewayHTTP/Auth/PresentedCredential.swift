import IMSService

/// What a request presented, as its dialect reads it: a public id (user name, access key,
/// session token; empty for bearer tokens) and the secret that proves it.
public struct PresentedCredential: Sendable {
    public var dialect: DialectID
    public var id: String
    public var secret: String

    public init(dialect: DialectID, id: String, secret: String) {
        self.dialect = dialect
        self.id = id
        self.secret = secret
    }

    /// The key a verification is filed under: a hash, so neither store nor cache holds a secret.
    public var lookupKey: String {
        Secrets.sha256Hex("\(dialect.rawValue)\u{0}\(id)\u{0}\(Secrets.sha256Hex(secret))")
    }
}
