import GRDB
import IMSModel

/// Positions in the list of every image in creation order (`createdAt`, then row id), found
/// through the buckets the v14 triggers keep (`imagePlace`: a bucket's first key and how many
/// images it holds) instead of skipping `offset` entries of the index: the sum of the buckets
/// before a position names the bucket it falls in, and the page is read from that bucket's key,
/// skipping fewer than a bucket's images.
enum ImagePlaces {
    /// Images per bucket, as buckets are opened: a page costs a sum over the buckets and a skip
    /// within one (at 1M images, 250 buckets: about 0.2 ms each part). A bucket that images
    /// created out of order (an import's older times) fill beyond it still answers exactly,
    /// only skips more.
    static let bucket = 4000

    /// The trigger's expression for the row id of the bucket holding `row`'s (`new` or `old`)
    /// key: the last bucket key at or before it. In two halves, each an index search: a row value
    /// comparison would search on the time alone (and the seeded images share one).
    static func bucketOf(_ row: String) -> String {
        """
        coalesce((SELECT rowid FROM imagePlace WHERE createdAt = \(row).createdAt AND id <= \(row).id ORDER BY id DESC LIMIT 1),
                 (SELECT rowid FROM imagePlace WHERE createdAt < \(row).createdAt ORDER BY createdAt DESC, id DESC LIMIT 1))
        """
    }

    /// How many images there are.
    static func total(in db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(SUM(n), 0) FROM imagePlace")) ?? 0
    }

    /// The row ids at positions `start..<start + count` in creation order, oldest first.
    static func ids(from start: Int, count: Int, in db: Database) throws -> [Int64] {
        guard count > 0,
              let row = try Row.fetchOne(db.cachedStatement(sql: """
                  SELECT createdAt, id, before FROM (SELECT createdAt, id, SUM(n) OVER (ORDER BY createdAt, id ROWS UNBOUNDED PRECEDING) - n AS before
                                                     FROM imagePlace) WHERE before <= ? ORDER BY createdAt DESC, id DESC LIMIT 1
                  """), arguments: [start]) else { return [] }
        let key: DatabaseValue = row[0]
        let id: Int64 = row[1]
        let before: Int = row[2]
        // A merge of two index searches, each already in order: the bucket key's time from its
        // row id on, then every later time.
        return try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT id, createdAt FROM image WHERE createdAt = ? AND id >= ?
            UNION ALL SELECT id, createdAt FROM image WHERE createdAt > ?
            ORDER BY 2, 1 LIMIT ? OFFSET ?
            """), arguments: [key, id, key, count, start - before])
    }
}
