/// The dialects one gateway speaks, by name: those compiled in (the Dialects module) and those a
/// config defines as data. Route files, credentials and requests name a dialect; this is where
/// the name is looked up, so adding a dialect never touches the core.
public struct DialectRegistry: Sendable {
    private var byID: [DialectID: any Dialect] = [:]
    /// In registration order.
    public private(set) var all: [any Dialect] = []

    public init(_ dialects: [any Dialect] = []) {
        for dialect in dialects where byID[dialect.id] == nil { add(dialect) }
    }

    public subscript(id: DialectID) -> (any Dialect)? { byID[id] }

    public func contains(_ id: DialectID) -> Bool { byID[id] != nil }

    /// Adds a dialect; a second one under a taken name is refused (names are what routes and
    /// credentials point at, so two of one name would make them ambiguous).
    public mutating func register(_ dialect: any Dialect) throws(DialectRegistryError) {
        guard byID[dialect.id] == nil else { throw .duplicate(dialect.id) }
        add(dialect)
    }

    private mutating func add(_ dialect: any Dialect) {
        byID[dialect.id] = dialect
        all.append(dialect)
    }

    /// The names, sorted, for messages that say which are known.
    public var names: String { byID.keys.sorted().map(\.rawValue).joined(separator: ", ") }
}

public enum DialectRegistryError: Error, Sendable, CustomStringConvertible {
    case duplicate(DialectID)

    public var description: String {
        switch self {
        case .duplicate(let id): "a dialect named '\(id)' is already registered"
        }
    }
}
