/// Strings that may still be the JSON text they were stored as.
///
/// A 51idc job lists every image it concerns, up to 10,000, and clients poll it: parsing that
/// list and writing it again cost most of each poll's CPU (1.3 ms for 10,000 ids, on the core
/// the job itself runs on). A list read from the store is written back as the text it was read
/// as, and parsed only where the strings themselves are needed.
public struct StringList: Sendable, Equatable, ExpressibleByArrayLiteral {
    private enum Storage: Sendable {
        case strings([String])
        /// A JSON array of strings, checked when it was read.
        case text(String)
    }

    private let storage: Storage

    public init(_ strings: [String]) {
        storage = .strings(strings)
    }

    public init(arrayLiteral elements: String...) {
        self.init(elements)
    }

    /// The list in `text`, a JSON array of strings; `nil` when the text is anything else.
    public init?(json text: String) {
        if Self.isPlainArray(text) {
            storage = .text(text)
        } else if case .array(let items)? = JSONValue.parse(text.utf8),
                  case let strings = items.compactMap(\.stringValue), strings.count == items.count {
            storage = .strings(strings)
        } else {
            return nil
        }
    }

    public var strings: [String] {
        switch storage {
        case .strings(let strings): strings
        case .text(let text): JSONValue.parse(text.utf8)?.arrayValue?.compactMap(\.stringValue) ?? []
        }
    }

    /// The list as a JSON value; a stored list as its text.
    public var json: JSONValue {
        switch storage {
        case .strings(let strings): .array(strings.map { .string($0) })
        case .text(let text): .encoded(text)
        }
    }

    /// The list as JSON text, for storing.
    public var jsonText: String {
        if case .text(let text) = storage { return text }
        return json.serialized
    }

    public static func == (lhs: StringList, rhs: StringList) -> Bool {
        if case .text(let l) = lhs.storage, case .text(let r) = rhs.storage, l == r { return true }
        return lhs.strings == rhs.strings
    }

    /// `["…","…"]` with nothing to unescape: what `jsonText` writes for ids. Anything else is
    /// parsed in full.
    private static func isPlainArray(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= 2, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else { return false }
            if bytes.count == 2 { return true }
            var inString = false
            var expectValue = true
            for byte in bytes[1..<(bytes.count - 1)] {
                if inString {
                    if byte == UInt8(ascii: "\"") {
                        inString = false
                    } else if byte == UInt8(ascii: "\\") || byte < 0x20 {
                        return false
                    }
                } else if expectValue, byte == UInt8(ascii: "\"") {
                    inString = true
                    expectValue = false
                } else if !expectValue, byte == UInt8(ascii: ",") {
                    expectValue = true
                } else {
                    return false
                }
            }
            return !inString && !expectValue
        }
    }
}

extension StringList: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try [String](from: decoder))
    }

    /// A JSON array of strings (`JSONValueEncoder` takes a stored list's text as it is).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(json)
    }
}
