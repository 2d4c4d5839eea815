import GRDB

/// The trigram index of image names (`imageNameSearch`). Deleted images leave their postings
/// behind until `purge` takes them out (see the v5 migration), so queries look names up by
/// phrase, which reads only the index, and confirm the match on the image row.
enum NameIndex {
    /// The index keeps trigrams: a shorter part of a name cannot be looked up in it.
    static let shortestPart = 3

    /// `word` as an FTS5 phrase: its characters in order, anywhere in a name, case folded.
    static func phrase(_ word: String) -> String {
        "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Takes up to `limit` deleted images' names out of the index; answers how many it took.
    /// Small batches, so a purge never holds the write lock for long.
    static func purge(limit: Int, in db: Database) throws -> Int {
        let oldest = "SELECT rowid FROM imageNameSearchStale ORDER BY rowid LIMIT ?"
        try db.execute(sql: """
            INSERT INTO imageNameSearch(imageNameSearch, rowid, name)
            SELECT 'delete', rowid, name FROM imageNameSearchStale WHERE rowid IN (\(oldest))
            """, arguments: [limit])
        try db.execute(sql: "DELETE FROM imageNameSearchStale WHERE rowid IN (\(oldest))", arguments: [limit])
        return db.changesCount
    }
}
