import GatewayHTTP
import IMSModel

/// Foreman's compute resources, operating systems and architectures as API resources:
/// `GET/POST /api/<kind>s`, `GET/PUT/DELETE /api/<kind>s/:id` (an id or a name).
extension ForemanDialect {
    /// What each kind accepts in its `<kind>[...]` hash: columns, then the other attributes
    /// kept as sent. Anything else is ignored, as Rails ignores unpermitted parameters.
    static func catalogColumns(_ kind: CatalogEntry.Kind) -> [String: CatalogField] {
        switch kind {
        case .operatingsystem: ["name": .name, "major": .major, "minor": .minor, "family": .family, "description": .description]
        case .computeResource: ["name": .name, "description": .description, "provider": .provider, "url": .url]
        case .architecture: ["name": .name]
        }
    }

    static func catalogExtras(_ kind: CatalogEntry.Kind) -> Set<String> {
        switch kind {
        case .operatingsystem: ["release_name", "password_hash"]
        case .computeResource: ["display_type", "set_console_password", "user", "password", "datacenter", "tenant", "domain"]
        case .architecture: []
        }
    }

    /// Accepted and stored, never answered.
    static let secretAttributes: Set<String> = ["password"]

    func catalogKind(_ request: DialectRequest) throws(CanonicalError) -> CatalogEntry.Kind {
        guard let kind = request.parameter("kind").flatMap(CatalogEntry.Kind.init(rawValue:)) else {
            throw .internal("route without a catalogue kind")
        }
        return kind
    }

    func decodeCatalog(_ request: DialectRequest, echo: inout Echo) throws(CanonicalError) -> Command {
        let kind = try catalogKind(request)
        switch request.operation {
        case .catalogList: return .listCatalog(try catalogQuery(request, kind, echo: &echo))
        case .catalogGet: return .getCatalogEntry(CatalogSelector(kind, try identifier(request, "id")))
        case .catalogDelete: return .deleteCatalogEntry(CatalogSelector(kind, try identifier(request, "id")))
        case .catalogUpdate:
            return .updateCatalogEntry(CatalogSelector(kind, try identifier(request, "id")), try catalogPatch(request, kind))
        default:
            let patch = try catalogPatch(request, kind)
            var missing = (patch.fields[.name] ?? "").isEmpty ? ["name"] : []
            if kind == .operatingsystem, (patch.fields[.major] ?? "").isEmpty { missing.append("major") }
            if !missing.isEmpty { throw ForemanErrors.blank(missing) }
            return .createCatalogEntry(kind, patch)
        }
    }

    /// `{"operatingsystem": {...}}`, the bare hash, or `operatingsystem[name]=…` form fields.
    func catalogPatch(_ request: DialectRequest, _ kind: CatalogEntry.Kind) throws(CanonicalError) -> CatalogPatch {
        let body = try request.bodyObject()
        let key = kind.rawValue
        var fields: [String: JSONValue]
        if case .object(let wrapped)? = body[key] {
            fields = wrapped
        } else if body[key] != nil {
            throw .invalidParameter(field: key, message: "must be a Hash")
        } else {
            fields = [:]
            for (name, value) in body {
                let bare = name.hasPrefix(key + "[") && name.hasSuffix("]") ? String(name.dropFirst(key.count + 1).dropLast()) : name
                fields[bare] = value
            }
        }
        var patch = CatalogPatch()
        let columns = Self.catalogColumns(kind), extras = Self.catalogExtras(kind)
        for (name, value) in fields {
            if let column = columns[name] {
                guard let text = Self.text(value) else { throw .invalidParameter(field: name, message: "must be a String") }
                patch.fields[column] = text
            } else if extras.contains(name) {
                patch.extra[name] = value
            }
        }
        return patch
    }

    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): s
        case .int(let n): String(n)
        case .null: ""
        default: nil
        }
    }

    func catalogQuery(_ request: DialectRequest, _ kind: CatalogEntry.Kind, echo: inout Echo) throws(CanonicalError) -> CatalogQuery {
        let window = try listWindow(request, echo: &echo)
        var query = CatalogQuery(kind: kind, offset: window.offset, limit: window.limit)
        if let search = window.search { query.match = try ForemanSearch.catalogMatch(search, kind: kind) }
        if let order = window.order {
            let parts = order.split(separator: " ")
            guard let name = parts.first, let field = ForemanSearch.catalogFields(kind)[name.lowercased()], parts.count <= 2,
                  parts.count == 1 || ["ASC", "DESC"].contains(parts[1].uppercased()) else {
                throw .invalidParameter(field: "search", message: "the field '\(order)' in the order statement is not valid field for search")
            }
            query.sort = [field]
            query.descending = parts.count == 2 && parts[1].uppercased() == "DESC"
        }
        return query
    }

    func catalogIndex(_ page: CatalogPage, _ echo: Echo) -> JSONValue {
        var envelope = indexEnvelope(total: page.scopeTotal, subtotal: page.total, echo)
        envelope["results"] = .array(page.items.map { Self.catalogJSON($0, thin: echo.thin) })
        return .object(envelope)
    }

    /// An entry as Foreman's views show it (`thin`: only what identifies it).
    static func catalogJSON(_ e: CatalogEntry, thin: Bool = false) -> JSONValue {
        var out: [String: JSONValue] = ["id": .int(e.id), "name": .string(e.name)]
        if e.kind == .operatingsystem { out["title"] = .string(e.title) }
        if thin { return .object(out) }
        out["created_at"] = ValueCodec.TimeStyle.foreman.render(e.createdAt)
        out["updated_at"] = ValueCodec.TimeStyle.foreman.render(e.updatedAt)
        switch e.kind {
        case .operatingsystem:
            out["major"] = .string(e.major)
            out["minor"] = .string(e.minor)
            out["family"] = .string(e.family)
            out["description"] = e.description.isEmpty ? .null : .string(e.description)
            out["fullname"] = .string(e.title)
        case .computeResource:
            out["description"] = e.description.isEmpty ? .null : .string(e.description)
            out["provider"] = .string(e.provider)
            out["provider_friendly_name"] = .string(e.provider)
            out["url"] = .string(e.url)
        case .architecture:
            break
        }
        for (key, value) in e.extra where !secretAttributes.contains(key) { out[key] = value }
        return .object(out)
    }
}
