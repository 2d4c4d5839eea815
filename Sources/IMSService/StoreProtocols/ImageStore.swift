import IMSModel

/// Image records (metadata; bytes are `FileStore`'s). Reads answer `ImageView`s: the image with
/// the titles of the catalogue entries it hangs under (`computeResourceName` ← the compute
/// resource's `title`, and so on; nil when the id is nil or names no entry).
public protocol ImageStore: Sendable {
    /// The image `key` names, if it is within `reach` and meets every condition of `within`
    /// (conditions on parent ids, as in lists); nil otherwise. Must stay a cheap read by key:
    /// it is every GET-by-id.
    nonisolated(nonsending) func image(_ key: ImageKey, reach: ImageReach, within: [ImageCondition]) async throws -> ImageView?

    /// A page of the images within `reach` that meet `query.base`, `query.filters`, `query.match`
    /// and `query.searchWord` (`query.scope` is ignored: `reach` replaces it; parent conditions
    /// name ids, the service resolved names). Semantics of the conditions (see also `Stores`):
    /// - `eq`/`ne` on text fold ASCII case; a `.null` value means IS NULL / IS NOT NULL; `ne`
    ///   and `notIn` and `notContains` match NULL. `in` is exact; an empty `in` matches nothing,
    ///   an empty `notIn` everything. `contains` is a substring (ASCII case folded; `%`, `_`
    ///   and `\` literal). `lt`…`ge` compare numbers. Text fields on the catalogue names compare
    ///   their titles. `Match.not` counts a NULL (unset) comparison as not matching.
    /// - `searchWord` (non-empty): `imageId` equals the word exactly, or the name contains it
    ///   (ASCII case folded, `%`/`_` literal). SQLite answers it from a trigram FTS5 index
    ///   (`NameIndex`) confirmed by LIKE; PostgreSQL from `pg_trgm` confirmed the same way.
    /// - Sorted by `query.sort`, then the row id in the first key's direction.
    /// - `total`: every match of base+filters+match+searchWord. `scopeTotal`: when
    ///   `query.countsScope`, the matches of reach+base alone, else nil.
    nonisolated(nonsending) func images(_ query: ImageQuery, reach: ImageReach) async throws -> ImagePage

    /// Resolves batch references, one answer per ref in order: the image within `reach` whose
    /// row id is the ref (when the ref is an integer and such a row exists), else whose `imageId`
    /// is the ref; nil when neither. Must stay one or two statements for 10,000 refs.
    func resolve(_ refs: [String], reach: ImageReach) async throws -> [ImageRefMatch?]

    /// Inserts `image` (its `imageId`, times and owner minted by the service) and, in the same
    /// transaction, `job` (the job that will finish it: a capture, an import, a copy), and
    /// answers the stored view. Atomically refuses, writing nothing:
    /// - an `imageId` another image has: `CanonicalError.taken("imageId")` (the service mints
    ///   another and tries again);
    /// - then, in order, each of `keys` another image holds (see `ImageUniqueKey`).
    ///   Of N concurrent inserts breaking a key together, exactly one succeeds.
    func insert(_ image: Image, job: Job?, unique keys: [ImageUniqueKey]) async throws -> ImageView

    /// Writes the columns `fields` of `image`, and `updatedAt`, over the row `image.id` (the
    /// other columns stay as stored: a concurrent change of other fields is kept), and answers
    /// the stored view. Atomically refuses, as `insert` does, a stored row that the write would
    /// make break one of `keys` (the image itself excluded). No such row:
    /// `.notFound(kind: "image", id: String(id))`.
    func update(_ image: Image, fields: Set<ImageField>, unique keys: [ImageUniqueKey]) async throws -> ImageView

    /// Throws what `insert`/`update` of `image` would throw for `imageId` and `keys` now,
    /// writing nothing (51idc's jobs are checked when queued and run later).
    func checkUnique(_ image: Image, keys: [ImageUniqueKey]) async throws

    /// Writes a state change to the image `imageId` (only the columns `change` names) and answers
    /// the stored view; nil when no such image exists (a job whose image was deleted meanwhile).
    func change(_ imageId: String, _ change: ImageStateChange) async throws -> ImageView?

    /// All-or-nothing delete: atomically, if every image of `imageIds` exists and none meets
    /// any of `holds`, deletes them all (their files' records, upload keys and multipart uploads
    /// with them) and answers true; otherwise deletes nothing and answers false (the service
    /// checks again to name what changed). Ids given twice count once.
    func deleteAll(_ imageIds: [String], unless holds: [ImageHold]) async throws -> Bool

    /// Whether any image hangs under the catalogue entry (its `computeResourceId`,
    /// `operatingsystemId` or `architectureId`, by `kind`, is `id`).
    func hasImages(under kind: CatalogEntry.Kind, id: Int64) async throws -> Bool
}
