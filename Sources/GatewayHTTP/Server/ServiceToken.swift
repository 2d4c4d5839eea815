import IMSModel

/// A service token the canonical API accepts (`canonical_api.tokens`), with what its holder may
/// assert: the gateway behind it runs commands as the identities it names in `X-IMS-Identity`,
/// so a token is limited to the tenants it serves, and to non-operators unless `operator`.
/// A leaked token then reaches those tenants only.
public struct ServiceToken: Codable, Sendable, Equatable {
    /// SHA-256 (hex) of the token; the token itself is never stored.
    public var sha256: String
    /// Tenants whose identities the holder may assert; `"*"` is every tenant.
    public var tenants: [String]
    /// Whether the holder may assert operator identities, which see every tenant's resources.
    public var `operator`: Bool

    public init(sha256: String, tenants: [String], operator: Bool = false) {
        self.sha256 = sha256.lowercased()
        self.tenants = tenants
        self.operator = `operator`
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(sha256: try c.decode(String.self, forKey: .sha256),
                  tenants: try c.decodeIfPresent([String].self, forKey: .tenants) ?? [],
                  operator: try c.decodeIfPresent(Bool.self, forKey: .operator) ?? false)
    }

    /// Why the holder may not act as `identity`, or `nil` when it may.
    func refusal(for identity: Identity) -> String? {
        if identity.isOperator, !`operator` { return "this service token may not act as an operator" }
        if !tenants.contains("*"), !tenants.contains(identity.tenant) {
            return "this service token may not act for tenant '\(identity.tenant)'"
        }
        return nil
    }
}
