/// A boolean combination of conditions: what a search language with `or`, `not` and
/// parentheses says. Generic so images and the catalogue share one shape on the wire.
public indirect enum Match<Condition: Sendable & Codable & Equatable>: Sendable, Codable, Equatable {
    case condition(Condition)
    /// Every part holds (an empty list always does).
    case all([Match])
    /// Some part holds (an empty list never does).
    case any([Match])
    case not(Match)

    /// The conditions when the match is a plain AND of them (the store's fast form), else `nil`.
    public var conjunction: [Condition]? {
        switch self {
        case .condition(let c): return [c]
        case .all(let parts):
            var out: [Condition] = []
            for part in parts {
                guard let cs = part.conjunction else { return nil }
                out += cs
            }
            return out
        case .any, .not: return nil
        }
    }

    /// The same tree with each condition replaced.
    public func map<Other>(_ transform: (Condition) throws(CanonicalError) -> Other) throws(CanonicalError) -> Match<Other> {
        switch self {
        case .condition(let c): return .condition(try transform(c))
        case .all(let parts): return .all(try parts.map { p throws(CanonicalError) in try p.map(transform) })
        case .any(let parts): return .any(try parts.map { p throws(CanonicalError) in try p.map(transform) })
        case .not(let inner): return .not(try inner.map(transform))
        }
    }
}
