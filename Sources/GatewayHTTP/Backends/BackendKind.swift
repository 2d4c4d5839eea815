/// The kinds of backend a `backends:` entry can name. An enum, so opening one is an exhaustive
/// switch: a new kind does not compile until `BackendFactory` (and everything else that decides
/// per kind) handles it.
public enum BackendKind: String, Sendable, CaseIterable, Codable {
    /// The service over SQLite in this process (`BundledBackend`): the default, zero setup.
    case sqlite
    /// The service over PostgreSQL (`PGBackend`): several gateways on one database.
    case postgres
    /// Another gateway's canonical API (`RemoteBackend`).
    case remote
    /// Images' metadata and bytes in OpenStack Glance, the rest in a SQL backend (`GlanceBackend`).
    case glance
    /// Two others as one: the primary answers, the secondary is compared (`ShadowBackend`).
    case shadow

    /// The kinds' names, for messages.
    public static var known: String { allCases.map(\.rawValue).joined(separator: ", ") }

    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let kind = BackendKind(rawValue: name) else {
            // `bundled` was the former name of `sqlite`; FormerConfig says so before this runs.
            throw GatewayStartError("unknown backend kind '\(name)' (known: \(Self.known))")
        }
        self = kind
    }
}
