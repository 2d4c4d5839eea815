import Foundation

/// Turns a dialect's credential into an identity: the in-memory cache first, the credential
/// store on a miss. Without a credential store, authentication is off and every request acts as
/// the gateway operator.
public struct Authenticator: Sendable {
    let store: CredentialStore?
    let cache: TokenCache?
    var metrics: GatewayMetrics?

    public init(store: CredentialStore?, cache: TokenCache?, metrics: GatewayMetrics? = nil) {
        self.store = store
        self.cache = cache
        self.metrics = metrics
    }

    public var isEnabled: Bool { store != nil }

    public func identity(for credential: PresentedCredential?) async throws(CanonicalError) -> Identity {
        guard let store else { return .anonymousOperator }
        guard let credential, !credential.secret.isEmpty else { throw .unauthorized("") }
        let key = credential.lookupKey
        if let cached = cache?.identity(for: key) {
            metrics?.cache(hit: true)
            return cached
        }
        metrics?.cache(hit: false)
        guard let identity = try await store.verify(credential) else { throw .unauthorized(credential.id) }
        cache?.remember(identity, for: key)
        return identity
    }
}
