/// The key that makes a mutation safe to send again: the client's `Idempotency-Key` header, else
/// one the gateway makes for the request. Never the client's `X-Request-Id`: a client or proxy
/// that repeats one would have its next, different, create answered with the first one's
/// result (or refused as a reuse), and the second image would never be made. A remote
/// backend forwards it with every mutating command; the backend records the answer under it
/// (`IdempotencyLedger`), so a repeat, by the client or by the front's own retry, returns that
/// answer instead of running the command twice.
public enum IdempotencyKey {
    @TaskLocal public static var clientKey: String?

    /// Keys longer than this are replaced by their SHA-256, so a record's size stays bounded.
    package static let maxLength = 128

    /// The key for the mutation being served, and whether the client chose it. Without the
    /// client's, a new one: the caller reads it once per command and uses it for every attempt
    /// and in the 503 that tells the client what to repeat with.
    package static var current: (key: String, fromClient: Bool) {
        if let key = clientKey { return (key, true) }
        return (RequestIDs.make(), false)
    }

    package static func normalized(_ key: String) -> String {
        key.utf8.count <= maxLength ? key : "sha256:" + Secrets.sha256Hex(key)
    }
}
