import IMSModel

/// Foreman's catalogue: compute resources, operating systems, architectures. Shared by every
/// tenant; the service lets only operators change it.
public protocol Catalogue: Sendable {
    /// A page of one kind's entries: `query.match` (conditions on `CatalogField`s, text folded
    /// as image filters), sorted by `query.sort` (all in `query.descending`'s direction) then
    /// id; `total` the matches, `scopeTotal` every entry of the kind.
    func entries(_ query: CatalogQuery) async throws -> CatalogPage

    /// The entry of `kind` with row id `id`, if any.
    func entry(_ kind: CatalogEntry.Kind, id: Int64) async throws -> CatalogEntry?

    /// Whether an entry of `kind` with row id `id` exists: what every Foreman request under a
    /// parent and every create asks, answered without reading the entry.
    func contains(_ kind: CatalogEntry.Kind, id: Int64) async throws -> Bool

    /// The entry of `kind` whose `name` or `title` is `name` (exact, case-sensitive): one whose
    /// name matches wins over one whose title does, then the lowest id.
    func entry(_ kind: CatalogEntry.Kind, named name: String) async throws -> CatalogEntry?

    /// Inserts `entry` under `entry.id`, or when that is 0 under the next id of its kind (the
    /// kind's highest id + 1, 1 for the first), and answers it as stored. A given id is one
    /// another backend assigned (`Minted`). Atomically refuses, writing nothing, another entry
    /// of the kind with the same text (exact) in one of `unique`, the first such field named:
    /// `CanonicalError.taken(field.rawValue)`. Concurrent inserts never get the same id.
    func insert(_ entry: CatalogEntry, unique: [CatalogField]) async throws -> CatalogEntry

    /// Writes `entry` over (kind, id), with `insert`'s refusals (itself excluded).
    /// No such entry: `.notFound(kind: kind.rawValue, id: String(id))`.
    func update(_ entry: CatalogEntry, unique: [CatalogField]) async throws -> CatalogEntry

    /// Deletes (kind, id). Atomically refuses while an image hangs under it:
    /// `.rejected(.inUse, "Cannot delete record because dependent images exist")`. Answers
    /// whether it existed.
    func delete(_ kind: CatalogEntry.Kind, id: Int64) async throws -> Bool

    /// Upserts the config's entries by (kind, id), keeping a stored entry's `createdAt` and
    /// `updatedAt`: the config stays the authority for what it lists. Run at start-up; N
    /// gateways seeding together must not fail.
    func seed(_ entries: [CatalogEntry]) async throws
}
