import Foundation

/// The canonical names of an image's facts. The raw value is also the store's column name and
/// the key in the canonical API, so one name serves storage, transport and mapping.
public enum ImageField: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case id, imageId, name, description, status, transitionStatus, imageType, diskFormat
    case minDisk, minRam, cpuArch, bits, osType, osVersion, platform, visibility, bootMode, usage
    case owner, departmentId, resourceGroupId, region, size, checksum, username, password, uuid
    case userData, computeResourceId, operatingsystemId, architectureId, provider, zone
    case sourceType, uploadId, errMessage, createdAt, updatedAt, statusTime
    // Derived from the Foreman catalogue; read-only.
    case computeResourceName, operatingsystemName, architectureName

    /// How the canonical value is typed; decides coercion of dialect input.
    public enum Kind: Sendable { case string, int, optionalInt, bool, date, oneOf([String]) }

    public var kind: Kind {
        switch self {
        case .id, .computeResourceId, .operatingsystemId, .architectureId: .optionalInt
        case .minDisk, .minRam, .size: .int
        case .userData: .bool
        case .createdAt, .updatedAt, .statusTime: .date
        case .status: .oneOf(ImageStatus.allCases.map(\.rawValue))
        case .bits: .oneOf(ProcessorBits.allCases.map(\.rawValue))
        case .visibility: .oneOf(Visibility.allCases.map(\.rawValue))
        default: .string
        }
    }

    /// Fields a client may set; the rest are the store's to decide.
    public var isWritable: Bool {
        switch self {
        case .id, .imageId, .status, .transitionStatus, .size, .checksum, .createdAt, .updatedAt,
            .statusTime, .uploadId, .errMessage, .computeResourceName, .operatingsystemName,
            .architectureName, .sourceType:
            false
        default: true
        }
    }

    /// Longest accepted string, where the APIs agree on one.
    public var maxLength: Int? {
        switch self {
        case .name: 128
        case .description: 256
        default: 255
        }
    }
}

extension ImageView {
    /// The canonical value of one field.
    public func value(_ field: ImageField) -> JSONValue {
        let i = image
        switch field {
        case .id: return JSONValue(i.id)
        case .imageId: return .string(i.imageId)
        case .name: return .string(i.name)
        case .description: return .string(i.description)
        case .status: return .string(i.status.rawValue)
        case .transitionStatus: return .string(i.transitionStatus)
        case .imageType: return .string(i.imageType)
        case .diskFormat: return .string(i.diskFormat)
        case .minDisk: return .int(i.minDisk)
        case .minRam: return .int(i.minRam)
        case .cpuArch: return .string(i.cpuArch)
        case .bits: return .string(i.bits.rawValue)
        case .osType: return .string(i.osType)
        case .osVersion: return .string(i.osVersion)
        case .platform: return .string(i.platform)
        case .visibility: return .string(i.visibility.rawValue)
        case .bootMode: return .string(i.bootMode)
        case .usage: return .string(i.usage)
        case .owner: return .string(i.owner)
        case .departmentId: return .string(i.departmentId)
        case .resourceGroupId: return .string(i.resourceGroupId)
        case .region: return .string(i.region)
        case .size: return .int(i.size)
        case .checksum: return .string(i.checksum)
        case .username: return .string(i.username)
        case .password: return .string(i.password)
        case .uuid: return .string(i.uuid)
        case .userData: return .bool(i.userData)
        case .computeResourceId: return JSONValue(i.computeResourceId)
        case .operatingsystemId: return JSONValue(i.operatingsystemId)
        case .architectureId: return JSONValue(i.architectureId)
        case .provider: return .string(i.provider)
        case .zone: return .string(i.zone)
        case .sourceType: return .string(i.sourceType)
        case .uploadId: return .string(i.uploadId)
        case .errMessage: return .string(i.errMessage)
        case .createdAt: return .string(CanonicalTime.format(i.createdAt))
        case .updatedAt: return .string(CanonicalTime.format(i.updatedAt))
        case .statusTime: return .string(CanonicalTime.format(i.statusTime))
        case .computeResourceName: return JSONValue(computeResourceName)
        case .operatingsystemName: return JSONValue(operatingsystemName)
        case .architectureName: return JSONValue(architectureName)
        }
    }
}

extension ImageView {
    /// The time a date field holds, for codecs that render dates (no detour through text).
    public func date(_ field: ImageField) -> Date? {
        switch field {
        case .createdAt: image.createdAt
        case .updatedAt: image.updatedAt
        case .statusTime: image.statusTime
        default: nil
        }
    }
}

extension Image {
    /// Sets one field from an already canonical value (see `FieldMap.canonicalize`).
    public mutating func set(_ field: ImageField, _ v: JSONValue) {
        func str() -> String { v.stringValue ?? "" }
        func int() -> Int64 { if case .int(let n) = v { n } else { 0 } }
        func optInt() -> Int64? { if case .int(let n) = v { n } else { nil } }
        switch field {
        case .name: name = str()
        case .description: description = str()
        case .imageType: imageType = str()
        case .diskFormat: diskFormat = str()
        case .minDisk: minDisk = int()
        case .minRam: minRam = int()
        case .cpuArch: cpuArch = str()
        case .bits: bits = ProcessorBits(rawValue: str()) ?? bits
        case .osType: osType = str()
        case .osVersion: osVersion = str()
        case .platform: platform = str()
        case .visibility: visibility = Visibility(rawValue: str()) ?? visibility
        case .bootMode: bootMode = str()
        case .usage: usage = str()
        case .owner: owner = str()
        case .departmentId: departmentId = str()
        case .resourceGroupId: resourceGroupId = str()
        case .region: region = str()
        case .username: username = str()
        case .password: password = str()
        case .uuid: uuid = str()
        case .userData: userData = v == .bool(true)
        case .computeResourceId: computeResourceId = optInt()
        case .operatingsystemId: operatingsystemId = optInt()
        case .architectureId: architectureId = optInt()
        case .provider: provider = str()
        case .zone: zone = str()
        case .status: status = ImageStatus(rawValue: str()) ?? status
        case .size: size = int()
        case .checksum: checksum = str()
        case .transitionStatus: transitionStatus = str()
        case .sourceType: sourceType = str()
        case .uploadId: uploadId = str()
        case .errMessage: errMessage = str()
        case .id, .imageId, .createdAt, .updatedAt, .statusTime, .computeResourceName,
            .operatingsystemName, .architectureName:
            break
        }
    }
}

/// Canonical time text: RFC 3339 UTC with milliseconds.
public enum CanonicalTime {
    /// `2026-11-23T17:44:46.123Z`.
    public static func format(_ date: Date) -> String {
        UTCText.format(date, separator: "T", millis: true, zone: "Z")
            ?? date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
                .timeSeparator(.colon).timeZone(separator: .omitted))
    }

    public static func parse(_ text: String) -> Date? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return (try? withFraction.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}

/// UTC date-time text by arithmetic, for the three forms the dialects answer with. Foundation's
/// ISO 8601 format styles go through a calendar for each date; an image answer has three dates
/// and a list page of 100 has 300 (profiled: 2.3% of a GET-by-id). Years outside 1900...9999 give
/// `nil` (Foundation writes dates before 1582 in the Julian calendar), and callers fall back.
package enum UTCText {
    package static func format(_ date: Date, separator: Character, millis: Bool, zone: String) -> String? {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds >= -2_208_988_800, seconds < 253_402_300_800 else { return nil }
        var whole = Int(seconds.rounded(.down))
        // Foundation writes the milliseconds truncated, from the nanoseconds it derives.
        var ms = Int(((seconds - Double(whole)) * 1_000).rounded(.down))
        if ms >= 1_000 { ms = 999 }
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        whole -= days * 86_400
        let (y, m, d) = civil(days)
        var text = ""
        text.reserveCapacity(24 + zone.utf8.count)
        pad(y, 4, &text); text += "-"; pad(m, 2, &text); text += "-"; pad(d, 2, &text)
        text.append(separator)
        pad(whole / 3_600, 2, &text); text += ":"; pad(whole / 60 % 60, 2, &text); text += ":"; pad(whole % 60, 2, &text)
        if millis { text += "."; pad(ms, 3, &text) }
        text += zone
        return text
    }

    private static func pad(_ n: Int, _ width: Int, _ text: inout String) {
        var digits = String(n)
        if digits.utf8.count < width { digits = String(repeating: "0", count: width - digits.utf8.count) + digits }
        text += digits
    }

    /// Year, month and day of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
    static func civil(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
