import IMSModel

/// The SQLite store's fast path for image lists: bounded work, run on a point reader in one read
/// transaction so it sees one snapshot (`SQLiteStore+Images.swift`). Which reads qualify is the
/// store's business, not the model's.
extension ImageQuery {
    /// A list that names its images by reference (51idc's describe, `images=<id>,…`) reads a
    /// few rows by key; one that counts a whole scope or searches names does not. `in`
    /// compares without collation, so it stays on the unique index (an `eq` folds case and
    /// would scan).
    var isKeyedRead: Bool {
        !countsScope && searchWord == nil
            && filters.contains { ($0.field == .imageId || $0.field == .id) && $0.op == .in && $0.values.count <= 100 }
    }
}
