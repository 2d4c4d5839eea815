import IMSModel
import NIOCore
import ServiceLifecycle

/// The canonical IMS a gateway answers from: bundled (SQLite in this process) or remote
/// (another IMS over HTTP). Dialects never know which one runs their commands.
public protocol Backend: Sendable {
    nonisolated(nonsending) func execute(_ command: Command, as identity: Identity) async throws(CanonicalError) -> CommandResult

    /// Runs the command with the values `minted` holds (none: all minted fresh) and answers
    /// every value it used with the result (DESIGN §6): handed those values, another backend
    /// stores the same records.
    nonisolated(nonsending) func execute(_ command: Command, as identity: Identity, minted: Minted?)
        async throws(CanonicalError) -> Executed

    /// Receives an image's bytes for a prepared upload; `token` is the one upload-prepare gave.
    /// The bytes are stored as they arrive, never collected.
    func upload(imageId: String, token: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable)
        async throws(CanonicalError) -> UploadTicket

    /// An active image's bytes, streamed.
    func download(_ selector: ImageSelector, as identity: Identity) async throws(CanonicalError) -> ImageDownload

    /// Background work the backend needs running beside the server (job workers).
    var services: [any Service] { get }

    /// `nil` when the backend can serve (reachable, store writable), else why not.
    func unreadiness() async -> String?

    /// Whether calls pass on the request's id and Idempotency-Key (`RequestIDs.current`,
    /// `IdempotencyKey.clientKey`): only a backend reached over the network reads them, and
    /// binding them costs every other request two task-locals.
    var forwardsRequestContext: Bool { get }

    /// What it can do beyond commands (`BackendCapabilities`).
    var capabilities: BackendCapabilities { get }

    /// The same backend with the work it does in this process beside the caller's (its network
    /// I/O) on the low-priority loop (`LowPriorityExecutor`), for a shadow's secondary; nil when
    /// it has none (a store in this process runs on its caller's executor).
    func lowPriorityCopy() -> (any Backend)?
}

extension Backend {
    public var forwardsRequestContext: Bool { false }
    public var capabilities: BackendCapabilities { .none }
    public func lowPriorityCopy() -> (any Backend)? { nil }
}
