import GRDB
import IMSModel
import IMSService

/// Turns canonical image conditions into SQL. Column names come only from `ImageField`,
/// never from request text, so the statements are safe to assemble.
struct ImageSQL {
    var clauses: [String] = []
    /// Other renderings of some clauses (by position) for reading a page in index order: terms
    /// the planner must not use an index for, because that index would then need the whole
    /// match sorted (see `scope`).
    var inOrder: [Int: String] = [:]
    var arguments = StatementArguments()

    static let joins = """
         LEFT JOIN catalogEntry cr ON cr.kind = 'compute_resource' AND cr.id = image.computeResourceId
         LEFT JOIN catalogEntry os ON os.kind = 'operatingsystem' AND os.id = image.operatingsystemId
         LEFT JOIN catalogEntry ar ON ar.kind = 'architecture' AND ar.id = image.architectureId
        """

    /// The image columns, in `Image.init(columns:)`'s order.
    static let imageColumns = Image.columnNames.map { "image.\"\($0)\"" }.joined(separator: ", ")

    /// What `Image.init(columns:)` reads: the image alone, without the catalogue names.
    static let selectImage = "SELECT " + imageColumns + " FROM image"

    /// What `ImageView.init(columns:)` reads: the image columns, then the three catalogue names.
    static let select = "SELECT " + imageColumns
        + ", cr.title AS computeResourceName, os.title AS operatingsystemName, ar.title AS architectureName FROM image" + joins

    /// Whether a condition names a catalogue name, so the query needs the joins. Counting and
    /// paging without them touch only the image table (at 1M images: 11 ms instead of 219 ms).
    var needsJoins = false

    /// `SELECT COUNT(*)` of the matching images.
    var count: String {
        "SELECT COUNT(*) FROM image" + (needsJoins ? Self.joins : "") + whereClause
    }

    /// A page: the ids are chosen first (on the image table and its indexes, skipping `offset`
    /// rows there), and only the page's rows are joined and read.
    func page(_ sort: [SortKey], limit: Int?, offset: Int) -> (sql: String, arguments: StatementArguments) {
        let order = Self.order(sort)
        var ids = "SELECT image.id FROM image" + (needsJoins || sort.contains { Self.isJoined($0.field) } ? Self.joins : "")
            + Self.where(clauses.indices.map { inOrder[$0] ?? clauses[$0] }) + order
        var arguments = self.arguments
        if let limit {
            ids += " LIMIT ? OFFSET ?"
            arguments += [limit, offset]
        } else if offset > 0 {
            ids += " LIMIT -1 OFFSET ?"
            arguments += [offset]
        }
        return (Self.select + " WHERE image.id IN (" + ids + ")" + order, arguments)
    }

    /// The fields read from the catalogue joins, and where.
    static let joinedColumns: [ImageField: String] = [
        .computeResourceName: "cr.title", .operatingsystemName: "os.title", .architectureName: "ar.title",
    ]

    static func isJoined(_ field: ImageField) -> Bool { joinedColumns[field] != nil }

    /// `?,?,…` for `n` arguments (at least one, so an empty list stays valid SQL).
    static func placeholders(_ n: Int) -> String {
        Array(repeating: "?", count: max(n, 1)).joined(separator: ",")
    }

    var whereClause: String { Self.where(clauses) }

    static func `where`(_ clauses: [String]) -> String {
        clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
    }

    static func column(_ field: ImageField) -> String {
        joinedColumns[field] ?? "image.\"\(field.rawValue)\""
    }

    mutating func add(_ clause: String, _ values: [(any DatabaseValueConvertible)?] = []) {
        clauses.append(clause)
        for v in values { _ = arguments.append(contentsOf: [v]) }
    }

    mutating func add(_ clause: String, _ values: [DatabaseValue]) {
        add(clause, values.map { $0 as (any DatabaseValueConvertible)? })
    }

    /// What keeps an image from being deleted, as a clause true of a kept image.
    static func hold(_ hold: ImageHold) -> String {
        switch hold {
        case .shared: "EXISTS (SELECT 1 FROM imageShare WHERE imageShare.imageId = image.imageId)"
        }
    }

    /// The images a read may see (the service resolved the tenancy rule into `reach`).
    mutating func scope(_ reach: ImageReach) {
        guard case .anyOf(let terms) = reach else { return }
        var values: [String] = []
        for term in terms {
            for fact in term {
                switch fact {
                case .ownedBy(let tenant): values.append(tenant)
                case .sharedWith(let user): values.append(user)
                case .isPublic, .notPublic: break
                }
            }
        }
        add(Self.reach(terms, inOrder: false), values)
        // Counted through the indexes (a MULTI-INDEX OR). A page must not be read that way:
        // with no statistics SQLite takes each OR term's index for a few rows, then sorts every
        // match, and with 1M public images that was 0.6 s for a first page. With the unary `+`
        // it walks the sort's index and stops after the page instead.
        if terms.count > 1 { inOrder[clauses.count - 1] = Self.reach(terms, inOrder: true) }
    }

    /// A reach's terms as one clause, its binds in the order of the facts.
    static func reach(_ terms: [[ImageFact]], inOrder: Bool) -> String {
        let plus = inOrder ? "+" : ""
        func fact(_ fact: ImageFact) -> String {
            switch fact {
            case .isPublic: "\(plus)image.visibility = 'public'"
            case .notPublic: "\(plus)image.visibility <> 'public'"
            case .ownedBy: "\(plus)image.owner = ?"
            case .sharedWith: "image.imageId IN (SELECT imageId FROM imageShare WHERE userId = ?)"
            }
        }
        func term(_ facts: [ImageFact]) -> String { facts.isEmpty ? "1" : facts.map(fact).joined(separator: " AND ") }
        switch terms.count {
        case 0: return "0"
        case 1: return term(terms[0])
        default: return "(" + terms.map { $0.count > 1 ? "(" + term($0) + ")" : term($0) }.joined(separator: " OR ") + ")"
        }
    }

    mutating func condition(_ c: ImageCondition) {
        if Self.isJoined(c.field) { needsJoins = true }
        let (clause, values) = ConditionSQL.clause(Self.column(c.field), c.op, c.values)
        add(clause, values)
    }

    /// A boolean combination of conditions, as one clause.
    mutating func match(_ m: Match<ImageCondition>) {
        var joins = false
        let (clause, values) = ConditionSQL.tree(m) { c in
            if Self.isJoined(c.field) { joins = true }
            return ConditionSQL.clause(Self.column(c.field), c.op, c.values)
        }
        if joins { needsJoins = true }
        add(clause, values)
    }

    /// A reference, or a part of the name. Parts of three characters or more are looked up in
    /// the trigram index (flat in the number of images) and confirmed by LIKE on the row, which
    /// keeps LIKE's meaning (the index folds case beyond ASCII) and drops postings of deleted
    /// images; shorter parts (and any with a NUL) scan the names.
    mutating func searchWord(_ word: String) {
        guard !word.holdsNUL else { return add("0", []) }
        let pattern = ConditionSQL.likePattern(.string(word))
        // FTS5 cannot read a phrase holding NUL; such a word scans, like a short one.
        if word.count >= NameIndex.shortestPart, !word.contains("\0") {
            add("""
                (image.imageId = ? OR (image.id IN (SELECT rowid FROM imageNameSearch WHERE imageNameSearch MATCH ?) \
                AND image.name LIKE ? ESCAPE '\\'))
                """, [word, NameIndex.query(word), pattern])
        } else {
            add("(image.imageId = ? OR image.name LIKE ? ESCAPE '\\')", [word, pattern])
        }
    }

    /// `ORDER BY`, always ending on the row id so pages never overlap.
    static func order(_ keys: [SortKey]) -> String {
        " ORDER BY " + keys.total.map { "\(column($0.field)) \($0.descending ? "DESC" : "ASC")" }.joined(separator: ", ")
    }

    /// The keys' total order backwards (NULLs, first when ascending, move to the end with it).
    static func reversed(_ keys: [SortKey]) -> [SortKey] {
        keys.total.map { SortKey($0.field, descending: !$0.descending) }
    }
}
