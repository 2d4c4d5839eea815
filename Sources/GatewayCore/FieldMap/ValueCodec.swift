import Foundation

/// How one dialect writes a canonical value on the wire.
public enum ValueCodec: Sendable {
    /// The canonical value, type-checked on the way in.
    case same
    /// "64" ⇔ "64" + suffix: 51idc "64bit", CECSTACK "64-bits".
    case bits(suffix: String)
    /// Lower-cased on the way out (51idc `os_family` "centos" for CECSTACK `platform` "CentOS").
    case lowercased
    /// Bytes ⇔ whole gigabytes, rounded up (51idc `size`).
    case gigabytes
    /// 51idc's image states.
    case idcStatus
    case time(TimeStyle)

    public enum TimeStyle: Sendable {
        /// `2016-06-23T08:23:25Z`
        case isoSeconds
        /// `2023-06-15T06:02:03.756Z`
        case rfc3339Millis
        /// `2019-09-11 14:34:13 UTC`
        case foreman
        /// 1494472126109
        case epochMillis
    }

    /// Canonical → wire.
    public func encode(_ value: JSONValue) -> JSONValue {
        switch self {
        case .same: return value
        case .bits(let suffix): return value.stringValue.map { .string($0 + suffix) } ?? value
        case .lowercased: return value.stringValue.map { .string($0.lowercased()) } ?? value
        case .gigabytes:
            guard case .int(let bytes) = value else { return value }
            return .int((bytes + (1 << 30) - 1) >> 30)
        case .idcStatus:
            return value.stringValue.flatMap(ImageStatus.init(rawValue:)).map { .string(Self.idcName($0)) } ?? value
        case .time(let style):
            guard let text = value.stringValue, let date = CanonicalTime.parse(text) else { return value }
            return style.render(date)
        }
    }

    /// Wire → canonical, as typed by `kind`. Throws the phrase to report against the field.
    public func decode(_ value: JSONValue, as kind: ImageField.Kind) throws(FieldError) -> JSONValue {
        switch self {
        case .bits(let suffix):
            guard let s = value.stringValue else { throw .wrongType("must be a string") }
            let bare = s.hasSuffix(suffix) ? String(s.dropLast(suffix.count)) : s
            guard ProcessorBits(rawValue: bare) != nil else {
                throw .wrongType("must be one of 32\(suffix), 64\(suffix)")
            }
            return .string(bare)
        case .idcStatus:
            guard let s = value.stringValue else { throw .wrongType("must be a string") }
            guard let status = Self.idcStatuses[s]?.first else { throw .wrongType("is not a valid status") }
            return .string(status.rawValue)
        case .gigabytes:
            let gb = try Self.coerce(value, as: .int)
            if case .int(let n) = gb { return .int(n << 30) }
            return gb
        case .same, .lowercased, .time:
            return try Self.coerce(value, as: kind)
        }
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

    /// 51idc's names for canonical states; a 51idc state may stand for several canonical ones.
    public static let idcStatuses: [String: [ImageStatus]] = [
        "pending": [.queued, .saving],
        "available": [.active],
        "deprecated": [.deprecated],
        "suspended": [.suspended],
        "deleted": [.deleted],
        "ceased": [.killed],
    ]

    static func idcName(_ status: ImageStatus) -> String {
        idcStatuses.first { $0.value.contains(status) }?.key ?? status.rawValue
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
