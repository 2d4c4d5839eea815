/// A Keystone application credential: scoped to one project, so the gateway holds one per
/// Glance project it acts as (docs/GLANCE.md). Its secret is never printed.
public struct ApplicationCredential: Sendable, CustomStringConvertible {
    public var id: String
    let secret: String

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    public var description: String { "application credential \(id)" }
}

extension ApplicationCredential: CustomReflectable {
    /// `dump` and the debugger show the id alone.
    public var customMirror: Mirror { Mirror(self, children: ["id": id]) }
}
