import Foundation
import IMSModel

/// Canonical conditions (image filters, Foreman searches, catalogue searches) as PostgreSQL
/// clauses with the SQLite store's meaning (see `Stores`): text compares folding ASCII case
/// only (`ims_nocase`, SQLite's NOCASE), numbers as numbers, a value of the wrong type for its
/// column the way SQLite's column affinity treats it (a number-like text is the number; any
/// other text equals no number), times as SQLite's stored text (`YYYY-MM-DD HH:MM:SS.SSS`).
enum PGConditions {
    enum ColumnType { case text, integer, boolean, time }

    /// A value as the column's type; nil when no stored value of that column can equal it.
    enum Typed {
        case text(String), integer(Int64), boolean(Bool), real(Double)
    }

    static func typed(_ value: JSONValue, for type: ColumnType) -> Typed? {
        switch (type, value) {
        case (.text, .string(let s)), (.time, .string(let s)): return PGSQL.storable(s) ? .text(s) : nil
        case (.text, .int(let n)), (.time, .int(let n)): return .text(String(n))
        case (.text, .bool(let b)), (.time, .bool(let b)): return .text(b ? "1" : "0")
        case (.text, .double(let d)), (.time, .double(let d)): return .text(String(d))
        case (.integer, .int(let n)): return .integer(n)
        case (.integer, .bool(let b)): return .integer(b ? 1 : 0)
        case (.integer, .double(let d)): return .real(d)
        case (.integer, .string(let s)): return Int64(s.trimmingCharacters(in: .whitespaces)).map(Typed.integer)
        case (.boolean, .bool(let b)): return .boolean(b)
        case (.boolean, .int(let n)): return n == 0 || n == 1 ? .boolean(n == 1) : nil
        case (.boolean, .string(let s)): return s == "0" || s == "1" ? .boolean(s == "1") : nil
        default: return nil
        }
    }

    /// The column as SQLite's text of it (what LIKE and time comparisons see).
    static func textOf(_ col: String, _ type: ColumnType) -> String {
        switch type {
        case .text: col
        case .integer: "(\(col))::text"
        case .boolean: "(CASE WHEN \(col) THEN '1' ELSE '0' END)"
        case .time: "to_char(\(col) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')"
        }
    }

    /// The column compared against `v`, and the bind holding `v`.
    static func operand(_ col: String, _ type: ColumnType, _ v: Typed, _ sql: inout PGSQL, fold: Bool) -> (String, String) {
        switch v {
        case .text(let s):
            let target = type == .time ? textOf(col, .time) : col
            return fold ? ("ims_nocase(\(target))", "ims_nocase(\(sql.bind(s)))") : (target, sql.bind(s))
        case .integer(let n): return (col, sql.bind(n))
        case .boolean(let b): return (col, sql.bind(b))
        case .real(let d): return ("(\(col))::float8", sql.bind(d))
        }
    }

    /// One comparison, appended to `sql`'s binds; answers the clause.
    static func clause(_ col: String, _ type: ColumnType, _ op: ImageCondition.Op, _ values: [JSONValue],
                       _ sql: inout PGSQL) -> String {
        let first = values.first ?? .null
        let isText: Bool = if case .string = first { true } else { false }
        switch op {
        case .eq, .ne:
            if first == .null { return op == .eq ? "\(col) IS NULL" : "\(col) IS NOT NULL" }
            guard let v = typed(first, for: type) else { return op == .eq ? "FALSE" : "TRUE" }
            let (l, r) = operand(col, type, v, &sql, fold: isText)
            return op == .eq ? "\(l) = \(r)" : "(\(col) IS NULL OR \(l) <> \(r))"
        case .contains, .notContains:
            let text: String = switch first {
            case .string(let s): s
            case .int(let n): String(n)
            default: ""
            }
            guard PGSQL.storable(text) else { return op == .contains ? "FALSE" : "TRUE" }
            let like = "ims_nocase(\(textOf(col, type))) LIKE ims_nocase(\(sql.bind(PGSQL.containsPattern(text)))) ESCAPE '\\'"
            return op == .contains ? like : "(\(col) IS NULL OR NOT (\(like)))"
        case .in, .notIn:
            let binds = values.compactMap { typed($0, for: type) }.map { operand(col, type, $0, &sql, fold: false) }
            guard !binds.isEmpty else { return op == .in ? "FALSE" : "TRUE" }
            let list = binds.map { "\($0.0) = \($0.1)" }.joined(separator: " OR ")
            return op == .in ? "(\(list))" : "(\(col) IS NULL OR NOT (\(list)))"
        case .lt, .le, .gt, .ge:
            let symbol = [ImageCondition.Op.lt: "<", .le: "<=", .gt: ">", .ge: ">="][op]!
            guard let v = typed(first, for: type) else {
                // SQLite orders every number before any text.
                return type == .integer && (op == .lt || op == .le) ? "\(col) IS NOT NULL" : "FALSE"
            }
            let (l, r) = operand(col, type, v, &sql, fold: false)
            return "\(l) \(symbol) \(r)"
        }
    }

    /// A tree of conditions as one parenthesised clause.
    static func tree<C>(_ match: Match<C>, _ sql: inout PGSQL, _ leaf: (C, inout PGSQL) -> String) -> String {
        switch match {
        case .condition(let c): return "(" + leaf(c, &sql) + ")"
        case .all(let parts):
            guard !parts.isEmpty else { return "TRUE" }
            return "(" + parts.map { tree($0, &sql, leaf) }.joined(separator: " AND ") + ")"
        case .any(let parts):
            guard !parts.isEmpty else { return "FALSE" }
            return "(" + parts.map { tree($0, &sql, leaf) }.joined(separator: " OR ") + ")"
        case .not(let inner):
            // NULL (an unset field) counts as not matching, so NOT of it matches.
            return "(NOT coalesce(\(tree(inner, &sql, leaf)), FALSE))"
        }
    }
}
