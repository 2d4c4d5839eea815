/// Decodes any `Decodable` from a `JSONValue` (or JSON text, parsed by `JSONParser`), accepting
/// what Foundation's `JSONDecoder` with default strategies accepts for the model's types: the
/// counterpart of `JSONValueEncoder`. Failures are `DecodingError`s with their coding paths.
public struct JSONValueDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        if T.self == JSONValue.self { return unsafeBitCast(value, to: T.self) }
        return try T(from: NodeDecoder(value, key: nil, parent: nil))
    }

    /// JSON text; not JSON at all is `DecodingError.dataCorrupted`.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        guard let value = JSONValue.parse(bytes) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "the text is not JSON"))
        }
        return try decode(type, from: value)
    }
}

/// One value being decoded. Its coding path is only walked for an error (`CodingTreeNode`).
final class NodeDecoder: Decoder, CodingTreeNode {
    let value: JSONValue
    let key: (any CodingKey)?
    let parent: NodeDecoder?

    init(_ value: JSONValue, key: (any CodingKey)?, parent: NodeDecoder?) {
        if case .encoded(let text) = value {
            self.value = JSONValue.parse(text.utf8) ?? .null
        } else {
            self.value = value
        }
        self.key = key
        self.parent = parent
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch([String: JSONValue].self, value, codingPath) }
        return KeyedDecodingContainer(KeyedNodeDecodingContainer(decoder: self, object: object))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else { throw mismatch([JSONValue].self, value, codingPath) }
        return UnkeyedNodeDecodingContainer(decoder: self, array: array)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleNodeDecodingContainer(decoder: self) }

    /// `value` as a `T`, nested under `key`.
    func decode<T: Decodable>(_ value: JSONValue, _ key: any CodingKey) throws -> T {
        if T.self == JSONValue.self { return unsafeBitCast(value, to: T.self) }
        return try T(from: NodeDecoder(value, key: key, parent: self))
    }

    func unbox<T>(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey], _ extract: (JSONValue) -> T?) throws -> T {
        if let unboxed = extract(value) { return unboxed }
        throw mismatch(T.self, value, path())
    }

    private func mismatch<T>(_ type: T.Type, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        if value == .null { return .valueNotFound(type, .init(codingPath: path, debugDescription: "found null")) }
        return .typeMismatch(type, .init(codingPath: path, debugDescription: "found \(value.kind)"))
    }
}

/// How JSON values become the standard library's scalars.
package enum Scalar {
    static func bool(_ v: JSONValue) -> Bool? {
        if case .bool(let b) = v { return b }
        return nil
    }

    static func string(_ v: JSONValue) -> String? { v.stringValue }

    /// A number that is integral and in range, as `JSONDecoder` accepts `1.0` for an Int.
    static func integer<I: FixedWidthInteger>(_ v: JSONValue) -> I? {
        switch v {
        case .int(let i): I(exactly: i)
        case .double(let d): I(exactly: d)
        default: nil
        }
    }

    static func double(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    static func float(_ v: JSONValue) -> Float? { double(v).map(Float.init) }
}

struct KeyedNodeDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    let object: [String: JSONValue]

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for \"\(key.stringValue)\""))
        }
        return value
    }

    private func unbox<T>(_ key: Key, _ extract: (JSONValue) -> T?) throws -> T {
        try decoder.unbox(value(key), codingPath + [key], extract)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try unbox(key, Scalar.bool) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try unbox(key, Scalar.string) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try unbox(key, Scalar.double) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try unbox(key, Scalar.float) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try unbox(key, Scalar.integer) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try unbox(key, Scalar.integer) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try unbox(key, Scalar.integer) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try unbox(key, Scalar.integer) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try unbox(key, Scalar.integer) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try unbox(key, Scalar.integer) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try unbox(key, Scalar.integer) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try unbox(key, Scalar.integer) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try unbox(key, Scalar.integer) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try unbox(key, Scalar.integer) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.decode(value(key), key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try NodeDecoder(value(key), key: key, parent: decoder).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try NodeDecoder(value(key), key: key, parent: decoder).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        NodeDecoder(object["super"] ?? .null, key: AnyKey("super"), parent: decoder)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        NodeDecoder(object[key.stringValue] ?? .null, key: key, parent: decoder)
    }
}

struct UnkeyedNodeDecodingContainer: UnkeyedDecodingContainer {
    let decoder: NodeDecoder
    let array: [JSONValue]
    private(set) var currentIndex = 0

    init(decoder: NodeDecoder, array: [JSONValue]) {
        self.decoder = decoder
        self.array = array
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }
    private var key: AnyKey { AnyKey(index: currentIndex) }

    /// The next element; the index moves on only when it decodes.
    private func current<T>(_ type: T.Type) throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [key], debugDescription: "the array has no more elements"))
        }
        return array[currentIndex]
    }

    private mutating func unbox<T>(_ extract: (JSONValue) -> T?) throws -> T {
        let value = try decoder.unbox(current(T.self), codingPath + [key], extract)
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard try current(JSONValue.self) == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try unbox(Scalar.bool) }
    mutating func decode(_ type: String.Type) throws -> String { try unbox(Scalar.string) }
    mutating func decode(_ type: Double.Type) throws -> Double { try unbox(Scalar.double) }
    mutating func decode(_ type: Float.Type) throws -> Float { try unbox(Scalar.float) }
    mutating func decode(_ type: Int.Type) throws -> Int { try unbox(Scalar.integer) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try unbox(Scalar.integer) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try unbox(Scalar.integer) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try unbox(Scalar.integer) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try unbox(Scalar.integer) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try unbox(Scalar.integer) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try unbox(Scalar.integer) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try unbox(Scalar.integer) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try unbox(Scalar.integer) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try unbox(Scalar.integer) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value: T = try decoder.decode(current(type), key)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try NodeDecoder(current(JSONValue.self), key: key, parent: decoder).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try NodeDecoder(current(JSONValue.self), key: key, parent: decoder).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let nested = NodeDecoder(try current(JSONValue.self), key: key, parent: decoder)
        currentIndex += 1
        return nested
    }
}

struct SingleNodeDecodingContainer: SingleValueDecodingContainer {
    let decoder: NodeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    private func unbox<T>(_ extract: (JSONValue) -> T?) throws -> T { try decoder.unbox(decoder.value, codingPath, extract) }

    func decodeNil() -> Bool { decoder.value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try unbox(Scalar.bool) }
    func decode(_ type: String.Type) throws -> String { try unbox(Scalar.string) }
    func decode(_ type: Double.Type) throws -> Double { try unbox(Scalar.double) }
    func decode(_ type: Float.Type) throws -> Float { try unbox(Scalar.float) }
    func decode(_ type: Int.Type) throws -> Int { try unbox(Scalar.integer) }
    func decode(_ type: Int8.Type) throws -> Int8 { try unbox(Scalar.integer) }
    func decode(_ type: Int16.Type) throws -> Int16 { try unbox(Scalar.integer) }
    func decode(_ type: Int32.Type) throws -> Int32 { try unbox(Scalar.integer) }
    func decode(_ type: Int64.Type) throws -> Int64 { try unbox(Scalar.integer) }
    func decode(_ type: UInt.Type) throws -> UInt { try unbox(Scalar.integer) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try unbox(Scalar.integer) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try unbox(Scalar.integer) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try unbox(Scalar.integer) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try unbox(Scalar.integer) }

    /// The value's own `init(from:)` reads this same node (a Date its Double).
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return unsafeBitCast(decoder.value, to: T.self) }
        return try T(from: decoder)
    }
}

extension JSONValue {
    /// What kind of JSON value this is, for error messages.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        case .encoded: "JSON text"
        }
    }
}
