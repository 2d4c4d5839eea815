/// The catalogue's searchable facts; the raw value is the store's column.
public enum CatalogField: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case id, name, title, major, minor, family, description, provider, url

    public var isNumeric: Bool { self == .id }
}

public struct CatalogCondition: Sendable, Codable, Equatable {
    public var field: CatalogField
    public var op: ImageCondition.Op
    public var values: [JSONValue]

    public init(_ field: CatalogField, _ op: ImageCondition.Op, _ values: [JSONValue]) {
        self.field = field
        self.op = op
        self.values = values
    }
}

/// Which catalogue entry: by id, or by name (an operating system also by its title).
public struct CatalogSelector: Sendable, Codable, Equatable {
    public var kind: CatalogEntry.Kind
    public var ref: String

    public init(_ kind: CatalogEntry.Kind, _ ref: String) {
        self.kind = kind
        self.ref = ref
    }
}

public struct CatalogQuery: Sendable, Codable, Equatable {
    public var kind: CatalogEntry.Kind
    public var match: Match<CatalogCondition>?
    /// Sorted by these fields, then the id.
    public var sort: [CatalogField]
    public var descending: Bool
    public var offset: Int
    /// `nil` means every match.
    public var limit: Int?

    public init(kind: CatalogEntry.Kind, match: Match<CatalogCondition>? = nil, sort: [CatalogField] = [],
                descending: Bool = false, offset: Int = 0, limit: Int? = nil) {
        self.kind = kind
        self.match = match
        self.sort = sort
        self.descending = descending
        self.offset = offset
        self.limit = limit
    }
}

/// Fields to set: the columns by name, anything else into `extra` (the dialect decides what
/// is accepted).
public struct CatalogPatch: Sendable, Codable, Equatable {
    public var fields: [CatalogField: String]
    public var extra: [String: JSONValue]

    public init(fields: [CatalogField: String] = [:], extra: [String: JSONValue] = [:]) {
        self.fields = fields
        self.extra = extra
    }
}

public struct CatalogPage: Sendable, Codable, Equatable {
    public var items: [CatalogEntry]
    /// Matches of the search.
    public var total: Int
    /// Entries of the kind.
    public var scopeTotal: Int

    public init(items: [CatalogEntry], total: Int, scopeTotal: Int) {
        self.items = items
        self.total = total
        self.scopeTotal = scopeTotal
    }
}
