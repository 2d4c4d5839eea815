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

    /// The row ids at positions `start..<start + count` in creation order, oldest first, of the
    /// `total` images. The buckets are summed from the nearer end, and the page is read from the
    /// nearer edge of its bucket: the newest page (51idc's first) reads one bucket row and 100
    /// index entries. Summing every bucket in a window function cost 0.5 ms at 1M images, and a
    /// skip from the bucket's start up to 4,000 entries another 0.6–0.9 ms (sqlite3's timer).
    static func ids(from start: Int, count: Int, total: Int, in db: Database) throws -> [Int64] {
        guard count > 0, start >= 0, start < total, let place = try bucket(holding: start, total: total, in: db) else { return [] }
        let skip = start - place.before
        let rest = place.n - skip - count
        if rest >= 0, rest < skip {
            // Backwards from the next bucket's key (or the newest image), skipping what lies after the page.
            let rows: [Int64]
            if let next = place.next {
                rows = try Int64.fetchAll(db.cachedStatement(sql: """
                    SELECT id, createdAt FROM image WHERE createdAt = ? AND id < ?
                    UNION ALL SELECT id, createdAt FROM image WHERE createdAt < ?
                    ORDER BY 2 DESC, 1 DESC LIMIT ? OFFSET ?
                    """), arguments: [next.createdAt, next.id, next.createdAt, count, rest])
            } else {
                rows = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM image ORDER BY createdAt DESC, id DESC LIMIT ? OFFSET ?"),
                                          arguments: [count, rest])
            }
            return rows.reversed()
        }
        // A merge of two index searches, each already in order: the bucket key's time from its
        // row id on, then every later time.
        return try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT id, createdAt FROM image WHERE createdAt = ? AND id >= ?
            UNION ALL SELECT id, createdAt FROM image WHERE createdAt > ?
            ORDER BY 2, 1 LIMIT ? OFFSET ?
            """), arguments: [place.key.createdAt, place.key.id, place.key.createdAt, count, skip])
    }

    /// A bucket's first key.
    struct Key {
        var createdAt: DatabaseValue
        var id: Int64
    }

    /// The bucket holding position `start`: its key, the next bucket's (none for the last), its
    /// images and how many come before it. Found by stepping over the buckets from the end
    /// nearer `start`, adding up their images.
    static func bucket(holding start: Int, total: Int, in db: Database) throws
        -> (key: Key, next: Key?, n: Int, before: Int)?
    {
        let fromEnd = start >= total / 2
        let rows = try Row.fetchCursor(db.cachedStatement(sql: fromEnd
                ? "SELECT createdAt, id, n FROM imagePlace ORDER BY createdAt DESC, id DESC"
                : "SELECT createdAt, id, n FROM imagePlace ORDER BY createdAt, id"))
        var passed = 0  // images in the buckets stepped over
        var later: Key?  // from the end: the bucket after the current one
        var found: (key: Key, n: Int, before: Int)?
        while let row = try rows.next() {
            let key = Key(createdAt: row[0], id: row[1])
            let n: Int = row[2]
            if let place = found { return (place.key, key, place.n, place.before) }  // from the start: the next bucket
            let before = fromEnd ? total - passed - n : passed
            if n > 0, before <= start, start < before + n {
                if fromEnd { return (key, later, n, before) }
                found = (key, n, before)
                continue
            }
            passed += n
            later = key
        }
        return found.map { ($0.key, nil, $0.n, $0.before) }
    }
}
