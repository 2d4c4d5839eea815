import IMSModel

/// The fields each Foreman resource declares for scoped search, and the resolution of a parsed
/// search into canonical conditions.
extension ForemanSearch {
    /// Images as Foreman's model declares them: `operatingsystem` and `architecture` are the
    /// parents' ids, `compute_resource` its name; the `_id` and `_name` forms say which.
    static let imageFields: [String: ImageField] = [
        "id": .id, "name": .name, "username": .username, "uuid": .uuid, "user_data": .userData,
        "compute_resource": .computeResourceName, "architecture": .architectureId, "operatingsystem": .operatingsystemId,
        "compute_resource_id": .computeResourceId, "architecture_id": .architectureId, "operatingsystem_id": .operatingsystemId,
        "compute_resource_name": .computeResourceName, "architecture_name": .architectureName,
        "operatingsystem_name": .operatingsystemName,
    ]
    /// What a bare word searches (Foreman's fields that are not `only_explicit`).
    static let imageFreeText: [ImageField] = [.name, .username, .computeResourceName]

    static func catalogFields(_ kind: CatalogEntry.Kind) -> [String: CatalogField] {
        switch kind {
        case .operatingsystem:
            ["id": .id, "name": .name, "title": .title, "major": .major, "minor": .minor, "family": .family,
             "description": .description]
        case .computeResource, .architecture: ["id": .id, "name": .name]
        }
    }

    static func catalogFreeText(_ kind: CatalogEntry.Kind) -> [CatalogField] {
        kind == .operatingsystem ? [.name, .title, .description, .major, .minor, .family] : [.name]
    }

    enum ValueKind { case text, number, bool }

    static func imageMatch(_ text: String) throws(CanonicalError) -> Match<ImageCondition> {
        try resolve(parse(text), fields: imageFields, freeText: imageFreeText, kind: { field in
            switch field.kind {
            case .int, .optionalInt: .number
            case .bool: .bool
            default: .text
            }
        }, make: ImageCondition.init)
    }

    static func catalogMatch(_ text: String, kind: CatalogEntry.Kind) throws(CanonicalError) -> Match<CatalogCondition> {
        try resolve(parse(text), fields: catalogFields(kind), freeText: catalogFreeText(kind),
                    kind: { $0.isNumeric ? .number : .text }, make: CatalogCondition.init)
    }

    static func resolve<F, C>(_ tree: Match<Term>, fields: [String: F], freeText: [F], kind: (F) -> ValueKind,
                              make: (F, ImageCondition.Op, [JSONValue]) -> C) throws(CanonicalError) -> Match<C> {
        switch tree {
        case .all(let parts):
            return .all(try parts.map { p throws(CanonicalError) in try resolve(p, fields: fields, freeText: freeText, kind: kind, make: make) })
        case .any(let parts):
            return .any(try parts.map { p throws(CanonicalError) in try resolve(p, fields: fields, freeText: freeText, kind: kind, make: make) })
        case .not(let inner):
            return .not(try resolve(inner, fields: fields, freeText: freeText, kind: kind, make: make))
        case .condition(let term):
            guard let name = term.field else {
                let word = JSONValue.string(term.values.first ?? "")
                let parts = freeText.map { Match<C>.condition(make($0, .contains, [word])) }
                return parts.count == 1 ? parts[0] : .any(parts)
            }
            guard let field = fields[name.lowercased()] else { throw fail("Field '\(name)' not recognized for searching!") }
            return try condition(term, field, name, kind(field), make)
        }
    }

    static func condition<F, C>(_ term: Term, _ field: F, _ name: String, _ valueKind: ValueKind,
                                _ make: (F, ImageCondition.Op, [JSONValue]) -> C) throws(CanonicalError) -> Match<C> {
        func typed(_ text: String) throws(CanonicalError) -> JSONValue {
            switch valueKind {
            case .text: return .string(text)
            case .number:
                guard let n = Int64(text) else { throw fail("Value '\(text)' is not valid for field '\(name)'") }
                return .int(n)
            case .bool:
                switch text.lowercased() {
                case "true", "t", "1", "yes": return .bool(true)
                case "false", "f", "0", "no": return .bool(false)
                default: throw fail("Value '\(text)' is not valid for field '\(name)'")
                }
            }
        }
        let values = try term.values.map { v throws(CanonicalError) in try typed(v) }
        switch term.op {
        case "null?", "set?":
            // Text that was never set is empty, not NULL: both count as unset.
            let unset: Match<C> = valueKind == .text
                ? .any([.condition(make(field, .eq, [.null])), .condition(make(field, .eq, [.string("")]))])
                : .condition(make(field, .eq, [.null]))
            return term.op == "null?" ? unset : .not(unset)
        case "=": return .condition(make(field, .eq, values))
        case "!=": return .condition(make(field, .ne, values))
        case "^": return .condition(make(field, .in, values))
        case "!^": return .condition(make(field, .notIn, values))
        case "~", "!~":
            guard valueKind == .text else { throw fail("Operator '\(term.op)' is not valid for field '\(name)'") }
            return .condition(make(field, term.op == "~" ? .contains : .notContains, values))
        case "<", "<=", ">", ">=":
            guard valueKind == .number else { throw fail("Operator '\(term.op)' is not valid for field '\(name)'") }
            let op: ImageCondition.Op = ["<": .lt, "<=": .le, ">": .gt, ">=": .ge][term.op]!
            return .condition(make(field, op, values))
        default:
            throw fail("Unsupported operator '\(term.op)'")
        }
    }
}
