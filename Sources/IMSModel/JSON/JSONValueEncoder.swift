import NIOCore

/// Encodes any `Encodable` to JSON text or a `JSONValue`, in the shape Foundation's `JSONEncoder`
/// gives with its default strategies (a `Date` is its seconds since 2001, as `Date.encode(to:)`
/// writes it). Text keeps the keys in the order they were encoded, as `JSONEncoder` does; a key
/// encoded twice in one container (which no synthesized `encode(to:)` does) is written twice.
///
/// The canonical API and stored jobs carry commands and results as JSON. Through Foundation's
/// coders that JSON was a fifth of a remote-mode gateway's CPU per request and 10–17 ms of a
/// 10,000-id batch delete's job; paired with `JSONParser` and `JSONValue.write(into:)`, this
/// does the same work without Foundation's intermediate `Data` and string round trips.
/// The model has no `Data`, `URL` or `Decimal` (which `JSONEncoder` special-cases).
public struct JSONValueEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let json = JSONValue.exactly(value) { return json }
        return try Self.root(value).value ?? .object([:])
    }

    /// Writes `value`'s JSON text straight from the encoded tree: no `JSONValue` objects (and
    /// their key hashing and sorting) in between.
    public func write<T: Encodable>(_ value: T, into buffer: inout ByteBuffer) throws {
        if let json = JSONValue.exactly(value) { return json.write(into: &buffer) }
        try Self.root(value).write(into: &buffer)
    }

    private static func root<T: Encodable>(_ value: T) throws -> EncodingNode {
        let node = EncodingNode(key: nil, parent: nil)
        try value.encode(to: NodeEncoder(node: node))
        guard node.object != nil || node.array != nil || node.single != nil else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(T.self) encoded nothing"))
        }
        return node
    }
}

/// What one value has encoded so far: containers may be asked for again and filled in any
/// order, so children are kept as references until the whole value is done.
final class EncodingNode: CodingTreeNode {
    enum Child {
        case value(JSONValue)
        case node(EncodingNode)

        var value: JSONValue {
            switch self {
            case .value(let v): v
            case .node(let n): n.value ?? .object([:])
            }
        }

        func write(into buffer: inout ByteBuffer) {
            switch self {
            case .value(let v): v.write(into: &buffer)
            case .node(let n): n.write(into: &buffer)
            }
        }
    }

    /// Members in the order encoded.
    var object: [(key: String, child: Child)]?
    var array: [Child]?
    var single: JSONValue?
    /// Where this node sits, for errors only (`CodingTreeNode`): a coding path array per value
    /// cost more than the value.
    let key: (any CodingKey)?
    unowned let parent: EncodingNode?

    init(key: (any CodingKey)?, parent: EncodingNode?) {
        self.key = key
        self.parent = parent
    }


    var value: JSONValue? {
        if let object { return .object(Dictionary(object.map { ($0.key, $0.child.value) }, uniquingKeysWith: { _, last in last })) }
        if let array { return .array(array.map(\.value)) }
        return single
    }

    /// The JSON text; a node nothing was encoded into is `{}`, as in `JSONEncoder`.
    func write(into buffer: inout ByteBuffer) {
        if let object {
            buffer.writeInteger(UInt8(ascii: "{"))
            for (i, member) in object.enumerated() {
                if i > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                JSONValue.writeString(member.key, into: &buffer)
                buffer.writeInteger(UInt8(ascii: ":"))
                member.child.write(into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        } else if let array {
            buffer.writeInteger(UInt8(ascii: "["))
            for (i, element) in array.enumerated() {
                if i > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                element.write(into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        } else {
            (single ?? .object([:])).write(into: &buffer)
        }
    }

    /// A child for `value` under `key`: plain JSON as is, anything else through its own
    /// `encode(to:)`.
    func child<T: Encodable>(_ value: T, _ key: any CodingKey) throws -> Child {
        if let json = JSONValue.exactly(value) { return .value(json) }
        let node = EncodingNode(key: key, parent: self)
        try value.encode(to: NodeEncoder(node: node))
        return .node(node)
    }
}

struct NodeEncoder: Encoder {
    let node: EncodingNode
    var codingPath: [any CodingKey] { node.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.object == nil { node.object = [] }
        return KeyedEncodingContainer(KeyedNodeContainer(node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.array == nil { node.array = [] }
        return UnkeyedNodeContainer(node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeContainer(node: node)
    }
}

struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    var codingPath: [any CodingKey] { node.codingPath }

    private func put(_ value: JSONValue, _ key: Key) { node.object!.append((key.stringValue, .value(value))) }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(try JSONValue.number(value, codingPath + [key]), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(try JSONValue.number(Double(value), codingPath + [key]), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(.int(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(try JSONValue.integer(value, codingPath + [key]), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(try JSONValue.integer(value, codingPath + [key]), key) }

    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        node.object!.append((key.stringValue, try node.child(value, key)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        nestedEncoder(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        nestedEncoder(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { nestedEncoder(AnyKey("super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { nestedEncoder(key) }

    private func nestedEncoder(_ key: any CodingKey) -> NodeEncoder {
        let child = EncodingNode(key: key, parent: node)
        node.object!.append((key.stringValue, .node(child)))
        return NodeEncoder(node: child)
    }
}

struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    var codingPath: [any CodingKey] { node.codingPath }
    var count: Int { node.array!.count }

    private func put(_ value: JSONValue) { node.array!.append(.value(value)) }
    private var nextKey: AnyKey { AnyKey(index: count) }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(try JSONValue.number(value, codingPath + [nextKey])) }
    mutating func encode(_ value: Float) throws { put(try JSONValue.number(Double(value), codingPath + [nextKey])) }
    mutating func encode(_ value: Int) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { put(.int(value)) }
    mutating func encode(_ value: UInt) throws { put(try JSONValue.integer(value, codingPath + [nextKey])) }
    mutating func encode(_ value: UInt8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { put(try JSONValue.integer(value, codingPath + [nextKey])) }

    mutating func encode(_ value: some Encodable) throws {
        node.array!.append(try node.child(value, nextKey))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        nestedEncoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { nestedEncoder().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { nestedEncoder() }

    private func nestedEncoder() -> NodeEncoder {
        let child = EncodingNode(key: nextKey, parent: node)
        node.array!.append(.node(child))
        return NodeEncoder(node: child)
    }
}

struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    var codingPath: [any CodingKey] { node.codingPath }

    private func put(_ value: JSONValue) { node.single = value }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(try JSONValue.number(value, codingPath)) }
    mutating func encode(_ value: Float) throws { put(try JSONValue.number(Double(value), codingPath)) }
    mutating func encode(_ value: Int) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { put(.int(value)) }
    mutating func encode(_ value: UInt) throws { put(try JSONValue.integer(value, codingPath)) }
    mutating func encode(_ value: UInt8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { put(try JSONValue.integer(value, codingPath)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let json = JSONValue.exactly(value) { return put(json) }
        // The value's own containers fill this same node (Date writes its Double here).
        try value.encode(to: NodeEncoder(node: node))
    }
}

extension JSONValue {
    /// `value` when it is itself a `JSONValue`, which goes into a tree (or comes out of one) as
    /// it is. (A metatype comparison: a dynamic cast per value cost more than the copy.)
    @inline(__always)
    static func exactly<T>(_ value: T) -> JSONValue? {
        guard T.self == JSONValue.self else { return nil }
        return unsafeBitCast(value, to: JSONValue.self)
    }

    /// A finite number (`JSONEncoder` refuses NaN and infinities too).
    static func number(_ value: Double, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath(), debugDescription: "\(value) is not valid JSON"))
        }
        return .double(value)
    }

    /// An unsigned integer, which `JSONValue` holds only up to `Int64.max`.
    static func integer(_ value: some UnsignedInteger, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        guard let int = Int64(exactly: value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath(), debugDescription: "\(value) is out of range"))
        }
        return .int(int)
    }
}

/// A value in the tree being encoded or decoded, which knows its key and parent: its coding
/// path is only walked for an error.
protocol CodingTreeNode: AnyObject {
    var key: (any CodingKey)? { get }
    var parent: Self? { get }
}

extension CodingTreeNode {
    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: Self? = self
        while let n = node, let key = n.key {
            path.append(key)
            node = n.parent
        }
        return path.reversed()
    }
}

/// A coding key made at run time: an array index or a `super` key.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
    }

    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}
