/// A dialect's name (`foreman`, `idc51`, or the `name:` of a dialect file). An open set: the
/// core never lists the dialects, it looks them up by name in a `DialectRegistry`.
public struct DialectID: RawRepresentable, Hashable, Sendable, Codable, Comparable, ExpressibleByStringLiteral,
    CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ name: String) { rawValue = name }
    public init(stringLiteral name: String) { rawValue = name }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
    public static func < (a: DialectID, b: DialectID) -> Bool { a.rawValue < b.rawValue }
}
