import Foundation
import IMSModel

/// How one dialect writes a canonical value on the wire: data (two closures and what documents
/// need to know), so a dialect, compiled or defined in a file, brings its own without a case in
/// the core. The common ones are built here; a dialect's own vocabulary is a `vocabulary` table.
public struct ValueCodec: Sendable {
    /// Canonical → wire.
    public let encode: @Sendable (JSONValue) -> JSONValue
    /// Wire → canonical, typed by the field's kind; throws the phrase to report against the field.
    let decoder: @Sendable (JSONValue, ImageField.Kind) throws(FieldError) -> JSONValue
    /// Wire → every canonical value it stands for, for a filter (a 51idc `pending` is two states).
    let matcher: (@Sendable (JSONValue, ImageField.Kind) throws(FieldError) -> [JSONValue])?
    /// Set for times: encoders render the `Date` itself in this style (no detour through text).
    public let timeStyle: TimeStyle?
    /// The wire's values where they are a closed list of their own (documents list them).
    public let wireValues: [String]?

    public init(encode: @escaping @Sendable (JSONValue) -> JSONValue,
                decode: @escaping @Sendable (JSONValue, ImageField.Kind) throws(FieldError) -> JSONValue,
                matches: (@Sendable (JSONValue, ImageField.Kind) throws(FieldError) -> [JSONValue])? = nil,
                timeStyle: TimeStyle? = nil, wireValues: [String]? = nil) {
        self.encode = encode
        decoder = decode
        matcher = matches
        self.timeStyle = timeStyle
        self.wireValues = wireValues
    }

    public func decode(_ value: JSONValue, as kind: ImageField.Kind) throws(FieldError) -> JSONValue {
        try decoder(value, kind)
    }

    /// The canonical values a wire value selects in a filter.
    public func matches(_ value: JSONValue, as kind: ImageField.Kind) throws(FieldError) -> [JSONValue] {
        if let matcher { return try matcher(value, kind) }
        return [try decoder(value, kind)]
    }

    public enum TimeStyle: String, Sendable, CaseIterable {
        /// `2016-06-23T08:23:25Z`
        case isoSeconds = "iso-seconds"
        /// `2023-06-15T06:02:03.756Z`
        case rfc3339Millis = "rfc3339-millis"
        /// `2019-09-11 14:34:13 UTC`
        case foreman
        /// 1494472126109
        case epochMillis = "epoch-millis"
    }
}

extension ValueCodec {
    /// The canonical value, type-checked on the way in.
    public static let same = ValueCodec(encode: { $0 }, decode: { v, kind throws(FieldError) in try coerce(v, as: kind) })

    /// Lower-cased on the way out (51idc `os_family` "centos" for CECSTACK `platform` "CentOS").
    public static let lowercased = ValueCodec(encode: { v in v.stringValue.map { .string($0.lowercased()) } ?? v },
                                              decode: { v, kind throws(FieldError) in try coerce(v, as: kind) })

    /// Bytes ⇔ whole gigabytes, rounded up (51idc `size`).
    public static let gigabytes = ValueCodec(encode: { v in
        guard case .int(let bytes) = v else { return v }
        return .int((bytes + (1 << 30) - 1) >> 30)
    }, decode: { v, _ throws(FieldError) in
        let gb = try coerce(v, as: .int)
        if case .int(let n) = gb { return .int(n << 30) }
        return gb
    })

    /// A closed list written with a suffix: "64" ⇔ "64bit" (51idc), "64-bits" (CECSTACK).
    public static func bits(suffix: String) -> ValueCodec {
        let values = ProcessorBits.allCases.map(\.rawValue)
        return ValueCodec(encode: { v in v.stringValue.map { .string($0 + suffix) } ?? v }, decode: { v, _ throws(FieldError) in
            guard let s = v.stringValue else { throw .wrongType("must be a string") }
            let bare = s.hasSuffix(suffix) ? String(s.dropLast(suffix.count)) : s
            guard values.contains(bare) else { throw .wrongType("must be one of \(values.map { $0 + suffix }.joined(separator: ", "))") }
            return .string(bare)
        }, wireValues: values.map { $0 + suffix })
    }

    public static func time(_ style: TimeStyle) -> ValueCodec {
        ValueCodec(encode: { v in
            guard let text = v.stringValue, let date = CanonicalTime.parse(text) else { return v }
            return style.render(date)
        }, decode: { v, kind throws(FieldError) in try coerce(v, as: kind) }, timeStyle: style)
    }

    /// A dialect's own names for canonical values: each wire name stands for one or more
    /// canonical values (51idc `pending` is queued or saving). A canonical value is written as
    /// the first wire name (in sorted order) that stands for it, or as itself if none does.
    public static func vocabulary(_ table: [String: [String]]) -> ValueCodec {
        let names = table.keys.sorted()
        let written = Dictionary(names.flatMap { name in table[name]!.map { ($0, name) } }, uniquingKeysWith: { first, _ in first })
        let matches = { @Sendable (v: JSONValue) throws(FieldError) -> [String] in
            guard let s = v.stringValue else { throw .wrongType("must be a string") }
            guard let canonical = table[s] else { throw .wrongType("must be one of \(names.joined(separator: ", "))") }
            return canonical
        }
        return ValueCodec(encode: { v in v.stringValue.flatMap { written[$0] }.map { .string($0) } ?? v },
                          decode: { v, _ throws(FieldError) in .string(try matches(v).first ?? "") },
                          matches: { v, _ throws(FieldError) in try matches(v).map { .string($0) } },
                          wireValues: names)
    }

    /// Type-checks and normalises a value for a canonical kind. Form fields arrive as strings,
    /// so numeric and boolean strings are accepted where a number or boolean is meant.
    public static func coerce(_ value: JSONValue, as kind: ImageField.Kind) throws(FieldError) -> JSONValue {
        switch kind {
        case .string:
            guard case .string = value else { throw .wrongType("must be a string") }
            return value
        case .int, .optionalInt:
            switch value {
            case .int: return value
            case .null where isOptional(kind): return .null
            case .string(let s) where isOptional(kind) && s.isEmpty: return .null
            case .string(let s):
                guard let n = Int64(s.trimmingCharacters(in: .whitespaces)) else { throw .wrongType("must be an integer") }
                return .int(n)
            case .double(let d) where d == d.rounded() && abs(d) < 9e15: return .int(Int64(d))
            default: throw .wrongType("must be an integer")
            }
        case .bool:
            switch value {
            case .bool: return value
            case .string("true"), .string("1"): return .bool(true)
            case .string("false"), .string("0"): return .bool(false)
            case .int(1): return .bool(true)
            case .int(0): return .bool(false)
            default: throw .wrongType("must be 'true' or 'false'")
            }
        case .date:
            guard let s = value.stringValue, CanonicalTime.parse(s) != nil else { throw .wrongType("must be a time") }
            return value
        case .oneOf(let allowed):
            guard let s = value.stringValue, allowed.contains(s) else {
                throw .wrongType("must be one of \(allowed.joined(separator: ", "))")
            }
            return value
        }
    }

    private static func isOptional(_ kind: ImageField.Kind) -> Bool {
        if case .optionalInt = kind { return true }
        return false
    }
}

public enum FieldError: Error, Sendable, Equatable {
    case wrongType(String)
}

extension ValueCodec.TimeStyle {
    public func render(_ date: Date) -> JSONValue {
        switch self {
        case .epochMillis: return .int(Int64((date.timeIntervalSince1970 * 1000).rounded()))
        case .rfc3339Millis: return .string(CanonicalTime.format(date))
        case .isoSeconds:
            return .string(UTCText.format(date, separator: "T", millis: false, zone: "Z") ?? date.formatted(Date.ISO8601FormatStyle()))
        case .foreman:
            // "2019-09-11 14:34:13 UTC"
            if let text = UTCText.format(date, separator: " ", millis: false, zone: " UTC") { return .string(text) }
            let iso = date.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space,
                                                              timeZone: .gmt))
            return .string(String(iso.dropLast()) + " UTC")
        }
    }
}
