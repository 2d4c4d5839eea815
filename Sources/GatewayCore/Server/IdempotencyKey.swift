import HTTPTypes
import Hummingbird

/// The key that makes a mutation safe to send again: the client's `Idempotency-Key` header, else
/// one the gateway makes for the request. Never the client's `X-Request-Id`: a client or proxy
/// that repeats one would have its next, different, create answered with the first one's
/// result (or refused as a reuse), and the second image would never be made. A remote
/// backend forwards it with every mutating command; the backend records the answer under it
/// (`IdempotencyLedger`), so a repeat, by the client or by the front's own retry, returns that
/// answer instead of running the command twice.
public enum IdempotencyKey {
    @TaskLocal public static var clientKey: String?
    /// Made once per request by the middleware when the client sent no key, so the key sent to
    /// the backend and the one a 503 tells the client to repeat with are the same.
    @TaskLocal static var requestKey: String?

    /// Keys longer than this are replaced by their SHA-256, so a record's size stays bounded.
    static let maxLength = 128

    /// The key for the mutation being served, and whether the client chose it.
    static var current: (key: String, fromClient: Bool) {
        if let key = clientKey { return (key, true) }
        return (requestKey ?? RequestIDs.make(), false)
    }

    static func normalized(_ key: String) -> String {
        key.utf8.count <= maxLength ? key : "sha256:" + Secrets.sha256Hex(key)
    }
}

/// Makes the client's `Idempotency-Key` header, or a key made for this request, the key of
/// whatever the request runs.
struct IdempotencyKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = request.headers[.idempotencyKey], !key.isEmpty else {
            return try await IdempotencyKey.$requestKey.withValue(RequestIDs.make()) { try await next(request, context) }
        }
        return try await IdempotencyKey.$clientKey.withValue(IdempotencyKey.normalized(key)) { try await next(request, context) }
    }
}

extension HTTPField.Name {
    public static let idempotencyKey = Self("Idempotency-Key")!
}
