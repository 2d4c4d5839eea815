/// JSON text (RFC 8259) to `JSONValue`, in one pass over the bytes.
///
/// Decoding `JSONValue` through Foundation's `JSONDecoder` tried each value as a Bool, an
/// integer and a double before a string, and every miss threw an error: a 51idc batch delete of
/// 10,000 ids cost 30,000 thrown errors before any work began. A number is an `.int` when it is
/// integral and fits in 64 bits (as `JSONDecoder` would decode `1.0` into an Int64), else a
/// `.double`. Like `JSONDecoder`, it keeps the first of duplicate keys and allows a trailing
/// comma. Nesting is limited so hostile input cannot exhaust the stack.
struct JSONParser {
    static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        var parser = JSONParser(bytes)
        guard let value = parser.value() else { return nil }
        parser.skipSpace()
        // (No `? value : nil`: JSONValue is ExpressibleByNilLiteral, so that nil would be `.null`.)
        guard parser.at == bytes.count else { return nil }
        return value
    }

    private var current: UInt8? { at < bytes.count ? bytes[at] : nil }

    private mutating func skipSpace() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { at += 1 }
    }

    private mutating func consume(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        for i in 0..<count where bytes[at + i] != literal.utf8Start[i] { return false }
        at += count
        return true
    }

    private mutating func value() -> JSONValue? {
        skipSpace()
        guard let c = current else { return nil }
        switch c {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    private mutating func literal(_ text: StaticString, _ value: JSONValue) -> JSONValue? {
        guard consume(text) else { return nil }
        return value
    }

    private mutating func object() -> JSONValue? {
        var object: [String: JSONValue] = [:]
        let closed = elements(closing: UInt8(ascii: "}")) { parser in
            parser.skipSpace()
            guard parser.current == UInt8(ascii: "\""), let key = parser.string() else { return false }
            parser.skipSpace()
            guard parser.current == UInt8(ascii: ":") else { return false }
            parser.at += 1
            guard let value = parser.value() else { return false }
            if object[key] == nil { object[key] = value }
            return true
        }
        guard closed else { return nil }
        return .object(object)
    }

    private mutating func array() -> JSONValue? {
        var array: [JSONValue] = []
        let closed = elements(closing: UInt8(ascii: "]")) { parser in
            guard let value = parser.value() else { return false }
            array.append(value)
            return true
        }
        guard closed else { return nil }
        return .array(array)
    }

    /// A container from its opening bracket to `closing`, reading each element with `element`
    /// (false: malformed). Elements are separated by commas; one before the close is allowed.
    private mutating func elements(closing: UInt8, _ element: (inout JSONParser) -> Bool) -> Bool {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { return false }
        at += 1
        skipSpace()
        if current == closing {
            at += 1
            return true
        }
        while true {
            guard element(&self) else { return false }
            skipSpace()
            switch current {
            case UInt8(ascii: ","):
                at += 1
                skipSpace()
                if current == closing {
                    at += 1
                    return true
                }
            case closing:
                at += 1
                return true
            default: return false
            }
        }
    }

    /// A string starting at its opening quote. Runs without escapes are copied whole; the text
    /// must be valid UTF-8.
    private mutating func string() -> String? {
        at += 1
        var decoded: [UInt8] = []
        var runStart = at
        // ASCII needs no validation; `String(validating:as:)` is generic and not specialized,
        // and its metadata lookups were 16% of answering a 10,000-id job.
        var ascii = true
        while let c = current {
            switch c {
            case UInt8(ascii: "\""):
                let run = UnsafeBufferPointer(rebasing: bytes[runStart..<at])
                at += 1
                if decoded.isEmpty {
                    return ascii ? String(decoding: run, as: UTF8.self) : String(validating: run, as: UTF8.self)
                }
                decoded.append(contentsOf: run)
                return ascii ? String(decoding: decoded, as: UTF8.self) : String(validating: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<at]))
                at += 1
                guard let escaped = current else { return nil }
                at += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    decoded.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: return nil
                }
                runStart = at
            case 0..<0x20: return nil
            case 0x80...:
                ascii = false
                at += 1
            default: at += 1
            }
        }
        return nil
    }

    /// The scalar of `\uXXXX` (the `\u` already read), joining a surrogate pair.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800..<0xDC00).contains(high) {
            guard consume("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high)
    }

    private mutating func hex4() -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var n: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Character(Unicode.Scalar(bytes[at])).hexDigitValue else { return nil }
            n = n << 4 | UInt32(digit)
            at += 1
        }
        return n
    }

    private mutating func number() -> JSONValue? {
        let start = at
        if current == UInt8(ascii: "-") { at += 1 }
        guard let first = current, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { return nil }
        at += 1
        if first != UInt8(ascii: "0") { _ = digitCount() }
        var integral = true
        if current == UInt8(ascii: ".") {
            at += 1
            guard digitCount() > 0 else { return nil }
            integral = false
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            at += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { at += 1 }
            guard digitCount() > 0 else { return nil }
            integral = false
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        if integral, let int = Int64(text) { return .int(int) }
        guard let double = Double(text), double.isFinite else { return nil }
        if double == double.rounded(), abs(double) < 9.2e18 { return .int(Int64(double)) }
        return .double(double)
    }

    private mutating func digitCount() -> Int {
        let start = at
        while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { at += 1 }
        return at - start
    }
}
