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

    /// `word` as an FTS5 query every name holding it matches: overlapping pieces of it, each a
    /// phrase, all required (the row's LIKE confirms the whole word). One phrase of the whole
    /// word reads every posting of each of its trigrams, and names that share a prefix made
    /// that a scan (`image-00333333` at 1M images: 18 ms of CPU); with `AND` FTS5 steps from
    /// one piece's match to the next, seeking in the others (2 ms).
    static func query(_ word: String) -> String {
        let characters = Array(word)
        guard characters.count > piece else { return phrase(word) }
        let starts = Array(stride(from: 0, to: characters.count - piece, by: piece - 2)) + [characters.count - piece]
        return starts.map { phrase(String(characters[$0..<$0 + piece])) }.joined(separator: " AND ")
    }

    /// Characters per piece of `query`: long enough to be rare, pieces overlapping by two.
    static let piece = 5

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
