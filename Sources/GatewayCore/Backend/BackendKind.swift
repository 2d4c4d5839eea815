/// The backends a gateway can run on, as `backend.kind` names them. An enum, so opening one is
/// an exhaustive switch: a new kind does not compile until `makeBackend` (and everything else
/// that decides per kind) handles it.
public enum BackendKind: String, Sendable, CaseIterable {
    /// The service over SQLite in this process (`BundledBackend`): the default, zero setup.
    case bundled
    /// The same as `bundled`, under the name a `backends:` entry gives it.
    case sqlite
    /// The service over PostgreSQL (`PGBackend`): several gateways on one database.
    case postgres
    /// Another gateway's canonical API (`RemoteBackend`).
    case remote

    /// The kinds' names, for messages.
    public static var known: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
