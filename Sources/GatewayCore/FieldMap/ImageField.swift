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
    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }

    public static func parse(_ text: String) -> Date? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return (try? withFraction.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}
