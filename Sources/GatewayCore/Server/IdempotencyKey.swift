import HTTPTypes
import Hummingbird

/// The key that makes a mutation safe to send again: the client's `Idempotency-Key` header, else
/// the request id (the client's `X-Request-Id`, or the one the gateway answered with). A remote
/// backend forwards it with every mutating command; the backend records the answer under it
/// (`IdempotencyLedger`), so a repeat, by the client or by the front's own retry, returns that
/// answer instead of running the command twice.
public enum IdempotencyKey {
    @TaskLocal public static var clientKey: String?

    /// Keys longer than this are replaced by their SHA-256, so a record's size stays bounded.
    static let maxLength = 128

    /// The key for the mutation being served, and whether the client chose it.
    static var current: (key: String, fromClient: Bool) {
        if let key = clientKey { return (key, true) }
        return (RequestIDs.current ?? RequestIDs.make(), false)
    }

    static func normalized(_ key: String) -> String {
        key.utf8.count <= maxLength ? key : "sha256:" + Secrets.sha256Hex(key)
    }
}

/// Makes the client's `Idempotency-Key` header the key of whatever the request runs.
struct IdempotencyKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = request.headers[.idempotencyKey], !key.isEmpty else { return try await next(request, context) }
        return try await IdempotencyKey.$clientKey.withValue(IdempotencyKey.normalized(key)) { try await next(request, context) }
    }
}

extension HTTPField.Name {
    public static let idempotencyKey = Self("Idempotency-Key")!
}
