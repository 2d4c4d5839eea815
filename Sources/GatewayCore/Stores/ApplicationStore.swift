/// htaiyun image applications. Deleting one marks it `DELETED` (an `update`); rows are never removed.
public protocol ApplicationStore: Sendable {
    nonisolated(nonsending) func application(_ id: Int64) async throws -> ImageApplication?

    /// A page of applications: only `owner`'s when it is set (nil: every tenant's), only
    /// `window.status` when set, and when `window.keywords` is non-empty only those whose
    /// `name` or `displayName` contains it (ASCII case folded; `%` in the keywords is dropped,
    /// `_` matches any one character: SQLite LIKE with `%kw%`). Sorted by `window.order`
    /// (`createdAt` when nil; `name`, `updatedAt`) then id, both ascending or both descending
    /// by `window.ascending`; `window.offset`/`window.limit` page it; `total` counts all matches.
    func applications(_ window: ListWindow, owner: String?) async throws -> ApplicationPage

    /// Inserts and answers the application with its row id. Atomically refuses a `name` that
    /// an `ACTIVED` application has (exact): `.conflict(field: "name", message: "has already been taken")`.
    func insert(_ application: ImageApplication) async throws -> ImageApplication

    /// Writes every field over row `application.id` if the stored row is still `ACTIVED`, with
    /// `insert`'s refusal (itself excluded) when the written status is `ACTIVED`. No such row,
    /// or one deleted meanwhile (a change never brings it back): `.notFound(kind: "application", id:)`.
    func update(_ application: ImageApplication) async throws -> ImageApplication
}
