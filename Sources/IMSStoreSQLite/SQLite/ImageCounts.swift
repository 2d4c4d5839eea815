import GRDB
import IMSModel
import IMSService

/// The number of images a reach sees, from the counts the v13 triggers keep per owner and
/// visibility (`imageCount`) instead of a `COUNT` over the image table. Every fact a reach is
/// made of but `sharedWith` is a fact of those two columns, so a pair's count is wholly in or
/// wholly out; the images shared with a user are counted on their own (a user's shares are few)
/// where no other term of the reach already sees them.
enum ImageCounts {
    static func total(_ reach: ImageReach, in db: Database) throws -> Int? {
        guard case .anyOf(let terms) = reach else {
            return try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(SUM(n), 0) FROM imageCount")) ?? 0
        }
        var kept: [[ImageFact]] = []
        var users: [String] = []
        for term in terms {
            let shares = term.compactMap { fact -> String? in if case .sharedWith(let user) = fact { user } else { nil } }
            if shares.isEmpty {
                kept.append(term)
            } else if term.count == 1 {
                users += shares
            } else {
                return nil
            }
        }
        var arguments = StatementArguments()
        for term in kept {
            for case .ownedBy(let tenant) in term { _ = arguments.append(contentsOf: [tenant]) }
        }
        let seen = kept.isEmpty ? "0" : ImageSQL.reach(kept, inOrder: false)
        var total = try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(SUM(n), 0) FROM imageCount AS image WHERE " + seen),
                                     arguments: arguments) ?? 0
        if !users.isEmpty {
            let shared = """
                SELECT COUNT(*) FROM image WHERE image.imageId IN \
                (SELECT imageId FROM imageShare WHERE userId IN (\(ImageSQL.placeholders(users.count)))) AND NOT \(seen)
                """
            total += try Int.fetchOne(db.cachedStatement(sql: shared), arguments: StatementArguments(users) + arguments) ?? 0
        }
        return total
    }

    /// The fields a parent pins (Foreman's compute resource, operating system, architecture),
    /// each with its count kept by the v15 triggers (`imageParentCount`).
    static let parents: Set<ImageField> = [.computeResourceId, .operatingsystemId, .architectureId]

    /// The number of images under one parent, when `conditions` are exactly that parent by id
    /// and the reach sees every image (an operator's list); nil otherwise.
    static func underParent(_ conditions: [ImageCondition], reach: ImageReach, in db: Database) throws -> Int? {
        guard reach == .all, conditions.count == 1, let parent = conditions.first, parent.op == .eq,
              parents.contains(parent.field), parent.values.count == 1, case .int(let id) = parent.values[0] else { return nil }
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT n FROM imageParentCount WHERE field = ? AND parentId = ?"),
                                arguments: [parent.field.rawValue, id]) ?? 0
    }
}
