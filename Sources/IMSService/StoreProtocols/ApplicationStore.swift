import IMSModel

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

    /// Inserts and answers the application with its row id. Atomically refuses, writing nothing,
    /// a `name` (exact) that another application whose status is in `nameHeldBy` has:
    /// `CanonicalError.taken("name")`.
    func insert(_ application: ImageApplication, nameHeldBy: Set<ApplicationStatus>) async throws -> ImageApplication

    /// Writes every field over row `application.id` while the stored row's status is `status`,
    /// with `insert`'s refusal (itself excluded), checked and written atomically. No such row,
    /// or one in another status: `.notFound(kind: "application", id:)`, checked first.
    func update(_ application: ImageApplication, whileStatus status: ApplicationStatus,
                nameHeldBy: Set<ApplicationStatus>) async throws -> ImageApplication
}
