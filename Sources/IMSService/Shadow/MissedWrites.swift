/// Objects whose writes a shadow dropped, the newest `limit` kept.
struct MissedWrites {
    private var order: [String] = []
    private var keys: Set<String> = []
    let limit = 100_000

    mutating func insert(_ new: Set<String>) {
        for key in new where keys.insert(key).inserted { order.append(key) }
        if order.count > limit {
            let cut = order.count - limit
            for key in order[..<cut] { keys.remove(key) }
            order.removeFirst(cut)
        }
    }

    func containsAny(of wanted: Set<String>) -> Bool { !keys.isDisjoint(with: wanted) }

    /// The secondary has caught up with these (an outcome copied to it).
    mutating func remove(_ caughtUp: Set<String>) {
        keys.subtract(caughtUp)
        order.removeAll { caughtUp.contains($0) }
    }
}
