import Foundation
import NIOCore

/// A JSON value as it crosses the wire. Dialects build their envelopes from it so that `null`,
/// integers and key sets are exactly what each legacy API showed, with no Codable surprises.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    /// JSON text known to be valid, written as it is (a stored `StringList`).
    case encoded(String)

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        if case .encoded(let text) = self { return JSONValue.parse(text.utf8)?.arrayValue }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var isNull: Bool { self == .null }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    public init(_ string: String?) { self = string.map { .string($0) } ?? .null }
    public init(_ int: Int64?) { self = int.map { .int($0) } ?? .null }
    public init(_ int: Int?) { self = int.map { .int(Int64($0)) } ?? .null }
}

// MARK: - Parsing

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        case .encoded(let text): try c.encode(JSONValue.parse(text.utf8) ?? .null)
        }
    }

    /// Parses JSON text; `nil` when it is not JSON (see `JSONParser`).
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> JSONValue? {
        if let parsed = bytes.withContiguousStorageIfAvailable({ JSONParser.parse($0) }) { return parsed }
        return Array(bytes).withUnsafeBufferPointer { JSONParser.parse($0) }
    }
}

// MARK: - Serialising

extension JSONValue {
    /// Serialises with sorted keys, so answers are byte-for-byte repeatable.
    public func write(into buffer: inout ByteBuffer) {
        switch self {
        case .null: buffer.writeStaticString("null")
        case .bool(let b): buffer.writeStaticString(b ? "true" : "false")
        case .int(let i): buffer.writeString(String(i))
        case .double(let d):
            if d.isFinite {
                buffer.writeString(d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d))
            } else {
                buffer.writeStaticString("null")
            }
        case .string(let s): Self.writeString(s, into: &buffer)
        case .array(let a):
            buffer.writeInteger(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                v.write(into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .object(let o):
            buffer.writeInteger(UInt8(ascii: "{"))
            // Ordered by String's `<`: code point order for the (NFC, mostly ASCII) keys the
            // dialects use, compared with memcmp; a generic walk of two UTF-8 views cost 5% of
            // a CECSTACK answer.
            for (i, pair) in o.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                Self.writeString(pair.key, into: &buffer)
                buffer.writeInteger(UInt8(ascii: ":"))
                pair.value.write(into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        case .encoded(let text): buffer.writeString(text)
        }
    }

    public var serialized: String {
        var buffer = ByteBuffer()
        write(into: &buffer)
        return String(buffer: buffer)
    }

    static func writeString(_ s: String, into buffer: inout ByteBuffer) {
        // Most strings need no escape: scan their contiguous UTF-8 once and write it with its
        // quotes in one reservation (three writes each checked capacity and uniqueness: 30% of
        // answering a job that lists 10,000 ids).
        var s = s
        let copied = s.withUTF8 { bytes -> Bool in
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bytes.count + 2) { out in
                out[0] = UInt8(ascii: "\"")
                if let source = bytes.baseAddress { (out.baseAddress! + 1).copyMemory(from: source, byteCount: bytes.count) }
                out[bytes.count + 1] = UInt8(ascii: "\"")
                return bytes.count + 2
            }
            return true
        }
        if copied { return }
        buffer.writeInteger(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            case 0x09: buffer.writeStaticString("\\t")
            case 0..<0x20:
                buffer.writeString(String(format: "\\u%04x", Int(byte)))
            default: buffer.writeInteger(byte)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
