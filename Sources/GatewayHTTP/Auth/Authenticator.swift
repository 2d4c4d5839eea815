import Foundation
import IMSModel

/// Turns a dialect's credential into an identity: the in-memory cache first, the credential
/// store on a miss. Without a credential store, authentication is off and every request acts as
/// the gateway operator.
public struct Authenticator: Sendable {
    let store: CredentialStore?
    let cache: TokenCache?
    var metrics: GatewayMetrics?
    /// Signed requests already accepted (schemes that sign refuse a replay); kept across reloads.
    let replays: ReplayMemory
    /// How far a signed request's time may be from the gateway's clock, either way.
    let signatureWindow: TimeInterval
    /// Checks under way, shared by requests presenting the same credential meanwhile.
    let checks = SharedChecks()

    public init(store: CredentialStore?, cache: TokenCache?, metrics: GatewayMetrics? = nil,
                replays: ReplayMemory = ReplayMemory(), signatureWindow: TimeInterval = 900) {
        self.store = store
        self.cache = cache
        self.metrics = metrics
        self.replays = replays
        self.signatureWindow = signatureWindow
    }

    public var isEnabled: Bool { store != nil }

    nonisolated(nonsending) public func identity(for credential: PresentedCredential?) async throws(CanonicalError) -> Identity {
        guard let store else { return .anonymousOperator }
        guard let credential, !credential.secret.isEmpty else { throw .unauthorized("") }
        let key = credential.lookupKey
        if let cached = cache?.lookup(key) {
            metrics?.cache(hit: true)
            // Checked again ahead of expiry, once, while this request goes on: under steady use
            // every connection waited out a bcrypt (~35 ms, Foreman's p99) each TTL. A decision
            // is still never used past its TTL, and a revoked credential is dropped at the check.
            if cached.refreshDue { checks.start(key, check(credential, key: key, in: store)) }
            return cached.identity
        }
        metrics?.cache(hit: false)
        guard let identity = try await checks.identity(for: key, check(credential, key: key, in: store)) else {
            throw .unauthorized(credential.id)
        }
        return identity
    }

    /// The store's check of a credential, its decision remembered (or forgotten) in the cache.
    private func check(_ credential: PresentedCredential, key: String, in store: CredentialStore)
        -> @Sendable () async throws(CanonicalError) -> Identity?
    {
        let cache = cache
        // Taken now: a reload while the check runs (it may wait behind other bcrypts) empties the
        // cache, and this check, against the old credentials, must not refill it.
        let generation = cache?.generation
        return { () async throws(CanonicalError) -> Identity? in
            let identity = try await store.verify(credential)
            if let identity { cache?.remember(identity, for: key, generation: generation) } else { cache?.forget(key) }
            return identity
        }
    }

    /// The identity a request signed under `scheme` proves. Signatures are checked on every
    /// request (never cached: each one is new, and a replay must be seen).
    public func identity(for request: AuthRequest, scheme: any AuthScheme, now: Date = Date()) async throws(CanonicalError) -> Identity {
        guard let store else { return .anonymousOperator }
        let signed = try scheme.identity(for: request, in: AuthContext(credentials: store, window: signatureWindow, now: now))
        try await replays.admit(signed.replayKey, until: signed.until, now: now)
        return signed.identity
    }
}
