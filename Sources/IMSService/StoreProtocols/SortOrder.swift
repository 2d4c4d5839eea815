import IMSModel

/// What every store reads from a list's sort keys, said once.
extension [SortKey] {
    /// The keys, then the row id in the first key's direction: a total order, so two pages of
    /// one list never share or skip an image whose keys tie.
    public var total: [SortKey] {
        contains { $0.field == .id } ? self : self + [SortKey(.id, descending: first?.descending ?? false)]
    }

    /// Whether the order is creation order (time, then row id, one direction), and which way:
    /// the order the stores keep positions of. Nil for any other order.
    public var creationOrderAscending: Bool? {
        let keys = total
        guard keys.count == 2, keys[0].field == .createdAt, keys[1].field == .id, keys[0].descending == keys[1].descending else { return nil }
        return !keys[0].descending
    }

    /// The positions in creation order, oldest first, of the page at `offset` of `limit` images
    /// in a list of `total` in this (creation) order, `ascending` or newest first: what a store
    /// reads from its kept buckets.
    public static func creationWindow(offset: Int, limit: Int, total: Int, ascending: Bool) -> Range<Int> {
        let first = Swift.min(offset, total)
        let end = ascending ? first + limit : total - first
        let start = Swift.max(0, ascending ? first : end - limit)
        return start..<Swift.max(start, Swift.min(end, total))
    }
}
