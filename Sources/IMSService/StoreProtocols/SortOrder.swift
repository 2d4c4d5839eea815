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
}
