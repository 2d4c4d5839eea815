import GRDB
import IMSModel

/// Conditions as SQL, for images and the catalogue alike. Columns come from the callers' field
/// enums, never from request text; values are always arguments.
enum ConditionSQL {
    /// One comparison. Text compares without case, as the originals' filters do; a number
    /// compares as is, which keeps it on the column's index (a NOCASE comparison cannot use one).
    static func clause(_ col: String, _ op: ImageCondition.Op, _ values: [JSONValue]) -> (String, [DatabaseValue]) {
        // A text holding NUL equals and contains no stored text (SQLite would bind it cut at the NUL).
        func unmatchable(_ v: JSONValue?) -> Bool { if case .string(let s)? = v { s.holdsNUL } else { false } }
        switch op {
        case .eq, .contains: if unmatchable(values.first) { return ("0", []) }
        case .ne, .notContains: if unmatchable(values.first) { return ("1", []) }
        case .in, .notIn: if values.contains(where: unmatchable) { return clause(col, op, values.filter { !unmatchable($0) }) }
        case .lt, .le, .gt, .ge: break
        }
        let dbValues = values.map(databaseValue)
        let first = dbValues.first ?? .null
        let isText: Bool = if case .string = values.first { true } else { false }
        let collate = isText ? " COLLATE NOCASE" : ""
        switch op {
        case .eq:
            return first == .null ? ("\(col) IS NULL", []) : ("\(col) = ?\(collate)", [first])
        case .ne:
            return first == .null ? ("\(col) IS NOT NULL", []) : ("(\(col) IS NULL OR \(col) <> ?\(collate))", [first])
        case .contains:
            return ("\(col) LIKE ? ESCAPE '\\'", [likePattern(values.first).databaseValue])
        case .notContains:
            return ("(\(col) IS NULL OR \(col) NOT LIKE ? ESCAPE '\\')", [likePattern(values.first).databaseValue])
        case .in:
            return dbValues.isEmpty ? ("0", []) : ("\(col) IN (\(placeholders(dbValues.count)))", dbValues)
        case .notIn:
            return dbValues.isEmpty ? ("1", []) : ("(\(col) IS NULL OR \(col) NOT IN (\(placeholders(dbValues.count))))", dbValues)
        case .lt: return ("\(col) < ?", [first])
        case .le: return ("\(col) <= ?", [first])
        case .gt: return ("\(col) > ?", [first])
        case .ge: return ("\(col) >= ?", [first])
        }
    }

    /// A tree of conditions as one parenthesised clause.
    static func tree<C>(_ match: Match<C>, _ leaf: (C) -> (String, [DatabaseValue])) -> (String, [DatabaseValue]) {
        func join(_ parts: [Match<C>], _ word: String, empty: String) -> (String, [DatabaseValue]) {
            guard !parts.isEmpty else { return (empty, []) }
            var clauses: [String] = []
            var values: [DatabaseValue] = []
            for part in parts {
                let (c, v) = tree(part, leaf)
                clauses.append(c)
                values += v
            }
            return ("(" + clauses.joined(separator: " \(word) ") + ")", values)
        }
        switch match {
        case .condition(let c):
            let (clause, values) = leaf(c)
            return ("(" + clause + ")", values)
        case .all(let parts): return join(parts, "AND", empty: "1")
        case .any(let parts): return join(parts, "OR", empty: "0")
        case .not(let inner):
            // NULL (an unset field) counts as not matching, so NOT of it matches.
            let (clause, values) = tree(inner, leaf)
            return ("(NOT coalesce(\(clause), 0))", values)
        }
    }

    static func placeholders(_ n: Int) -> String {
        Array(repeating: "?", count: max(n, 1)).joined(separator: ",")
    }

    static func likePattern(_ value: JSONValue?) -> String {
        let text: String
        switch value {
        case .string(let s): text = s
        case .int(let n): text = String(n)
        default: text = ""
        }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        return "%\(escaped)%"
    }

    static func databaseValue(_ v: JSONValue) -> DatabaseValue {
        switch v {
        case .null: .null
        case .bool(let b): b.databaseValue
        case .int(let n): n.databaseValue
        case .double(let d): d.databaseValue
        case .string(let s): s.databaseValue
        case .array, .object, .encoded: v.serialized.databaseValue
        }
    }
}
