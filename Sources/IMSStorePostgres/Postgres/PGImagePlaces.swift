/// Positions in the list of every image in creation order (`createdAt`, then row id), found
/// through the buckets migration 16 keeps (`imagePlace`: a bucket's first key and how many images
/// it holds) instead of skipping `offset` entries of the index: the sum of the buckets before a
/// position names the bucket it falls in, and the page is read from that bucket's key, skipping
/// fewer than a bucket's images. The bundled store's `ImagePlaces`, with a lock for writers that
/// run side by side (migration 16 says why).
enum PGImagePlaces {
    /// Images per bucket, as buckets are opened: at 1M images a page sums 250 buckets and skips
    /// within one. A bucket that images created out of order fill beyond it answers as exactly.
    static let bucket = 4000

    /// The transaction-scoped lock every statement that moves images between buckets takes
    /// first, with the schema's hash (gateways on other schemas do not wait for it).
    static let lockKey: Int64 = 0x696d_735f_706c_6163  // "ims_plac"

    /// The key of the bucket holding `row`'s image: the last bucket key at or before it.
    static func bucketOf(_ row: String) -> String {
        "SELECT createdAt, id FROM imagePlace WHERE (createdAt, id) <= (\(row).createdAt, \(row).id) ORDER BY createdAt DESC, id DESC LIMIT 1"
    }

    /// A SELECT of the row ids at positions `start..<start + count` in creation order. The
    /// bucket's key is a row subquery, not a join: as a join the planner walked the index from
    /// its start and filtered (500,000 entries for the middle of 1M, 111 ms under EXPLAIN
    /// ANALYZE); as one value the index scan starts at the key (0.2 ms).
    static func ids(from start: Int, count: Int, _ sql: inout PGSQL) -> String {
        let start = sql.bind(Int64(start))
        return """
            WITH place AS (SELECT createdAt, id, before FROM (
                    SELECT createdAt, id, (sum(n) OVER (ORDER BY createdAt, id ROWS UNBOUNDED PRECEDING) - n)::bigint AS before FROM imagePlace) s
                WHERE before <= \(start) ORDER BY createdAt DESC, id DESC LIMIT 1)
            SELECT image.id FROM image WHERE (image.createdAt, image.id) >= (SELECT createdAt, id FROM place)
            ORDER BY image.createdAt, image.id LIMIT \(sql.bind(Int64(count))) OFFSET (\(start) - (SELECT before FROM place))
            """
    }
}
