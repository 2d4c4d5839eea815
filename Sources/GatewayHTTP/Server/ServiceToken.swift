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
    /// Whether the holder may read every record through the export (`GET /ims/v1/export/…`),
    /// as `ims-gateway migrate` does from a `remote` backend. Everything of every tenant, the
    /// images' default passwords included, so only a token that already reaches all of it
    /// (`operator: true`, `tenants: ["*"]`) may be one: the flag adds no reach, only the bulk read.
    public var export: Bool

    public init(sha256: String, tenants: [String], operator: Bool = false, export: Bool = false) {
        self.sha256 = sha256.lowercased()
        self.tenants = tenants
        self.operator = `operator`
        self.export = export
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(sha256: try c.decode(String.self, forKey: .sha256),
                  tenants: try c.decodeIfPresent([String].self, forKey: .tenants) ?? [],
                  operator: try c.decodeIfPresent(Bool.self, forKey: .operator) ?? false,
                  export: try c.decodeIfPresent(Bool.self, forKey: .export) ?? false)
        if export, !`operator` || !tenants.contains("*") {
            throw DecodingError.dataCorruptedError(forKey: .export, in: c, debugDescription:
                "export: true reads every tenant's records: give the token operator: true and tenants: [\"*\"] too")
        }
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
