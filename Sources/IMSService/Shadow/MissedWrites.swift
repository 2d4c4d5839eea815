/// Objects whose writes a shadow dropped, the newest `limit` kept.
///
/// Inserted on the request's path, under a lock, once per dropped write: each insert and each
/// eviction is O(1) amortized. (It was an array whose `removeFirst` moved every kept key once the
/// limit was reached: 100,000 moves per dropped write, at thousands of drops a second.)
struct MissedWrites {
    /// Each key with the number of its latest insert; `order` holds every insert, oldest first,
    /// from `head` on, and an entry whose number is no longer its key's is stale.
    private var keys: [String: UInt64] = [:]
    private var order: [(key: String, number: UInt64)] = []
    private var head = 0
    private var inserted: UInt64 = 0
    let limit: Int

    init(limit: Int = 100_000) { self.limit = limit }

    mutating func insert(_ new: Set<String>) {
        for key in new {
            inserted += 1
            keys[key] = inserted
            order.append((key, inserted))
        }
        while keys.count > limit, head < order.count {
            let (key, number) = order[head]
            head += 1
            if keys[key] == number { keys[key] = nil }
        }
        // The stale prefix is dropped once it is as long as the rest: amortized O(1).
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    func containsAny(of wanted: Set<String>) -> Bool { wanted.contains { keys[$0] != nil } }

    /// The secondary has caught up with these (an outcome copied to it).
    mutating func remove(_ caughtUp: Set<String>) {
        for key in caughtUp { keys[key] = nil }
    }

    var count: Int { keys.count }
}
