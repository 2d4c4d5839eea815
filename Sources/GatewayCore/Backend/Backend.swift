/// The canonical IMS a gateway answers from: bundled (SQLite in this process) or remote
/// (another IMS over HTTP). Dialects never know which one runs their commands.
public protocol Backend: Sendable {
    func execute(_ command: Command, as identity: Identity) async throws(CanonicalError) -> CommandResult
}
