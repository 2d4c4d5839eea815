import IMSModel
import IMSService

/// A list's total without counting its matches, where the kept counts (`imageCount`, migration
/// 15: images per owner, visibility and compute resource) can say it: the conditions read only
/// those columns, and the reach is every image or a union of tenancy facts. A term "shared with
/// a user" is counted through the share index (a user's shares are few), less those the other
/// terms count already.
enum PGImageCount {
    /// The columns the kept counts are grouped by.
    static let counted: Set<ImageField> = [.owner, .visibility, .computeResourceId]

    /// Appends the total of `conditions` within `reach` to `sql` as one SELECT; false, with
    /// nothing appended, when the kept counts cannot answer it.
    static func total(_ conditions: [ImageCondition], reach: ImageReach, _ sql: inout PGSQL) -> Bool {
        guard conditions.allSatisfy({ counted.contains($0.field) }) else { return false }
        var kept: [[ImageFact]] = []
        var shared: [[ImageFact]] = []
        if case .anyOf(let terms) = reach {
            for term in terms {
                if term.allSatisfy(isCounted) {
                    kept.append(term)
                } else if term.count == 1, case .sharedWith = term[0] {
                    shared.append(term)
                } else {
                    return false
                }
            }
        }
        var parts: [String] = []
        let keptReach: String?
        switch reach {
        case .all: keptReach = nil
        case .anyOf: keptReach = kept.isEmpty ? "FALSE" : PGImageSQL.reach(.anyOf(kept), &sql)
        }
        if keptReach != "FALSE" {
            let clauses = conditions.map { PGImageSQL.condition($0, &sql) } + (keptReach.map { [$0] } ?? [])
            parts.append("(SELECT coalesce(sum(n), 0) FROM imageCount AS image" + PGImageSQL.whereClause(clauses) + ")")
        }
        if !shared.isEmpty, let sharing = PGImageSQL.reach(.anyOf(shared), &sql) {
            var clauses = conditions.map { PGImageSQL.condition($0, &sql) } + [sharing]
            if let keptReach, keptReach != "FALSE" {
                // The same clause again, on its own binds (the reach of the kept part).
                clauses.append("NOT coalesce(" + (PGImageSQL.reach(.anyOf(kept), &sql) ?? "FALSE") + ", FALSE)")
            }
            parts.append("(SELECT count(*) FROM image" + PGImageSQL.whereClause(clauses) + ")")
        }
        sql.append("SELECT (" + (parts.isEmpty ? "0" : parts.joined(separator: " + ")) + ")::bigint")
        return true
    }

    static func isCounted(_ fact: ImageFact) -> Bool {
        switch fact {
        case .isPublic, .notPublic, .ownedBy: true
        case .sharedWith: false
        }
    }
}
