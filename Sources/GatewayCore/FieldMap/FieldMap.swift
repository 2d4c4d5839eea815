/// The four legacy APIs that speak about images. The mapping table below is keyed by it.
public enum DialectID: String, Sendable, Codable, CaseIterable {
    case htaiyun, idc51, foreman, cecstack

    /// Its position in `allCases`, for tables kept as arrays.
    var index: Int { Self.allCases.firstIndex(of: self)! }
}

/// Where one canonical field appears in one dialect: the key it arrives under (`input`),
/// the key it is answered under (`output`) and how its value is written.
public struct FieldSlot: Sendable {
    public var input: String?
    public var output: String?
    public var codec: ValueCodec

    /// Read and written under the same key.
    public static func io(_ key: String, _ codec: ValueCodec = .same) -> FieldSlot {
        FieldSlot(input: key, output: key, codec: codec)
    }

    /// Answered only.
    public static func out(_ key: String, _ codec: ValueCodec = .same) -> FieldSlot {
        FieldSlot(input: nil, output: key, codec: codec)
    }

    /// Arrives under one key, answered under another (CECSTACK `instruction` / `instructions`).
    public static func io(in input: String, out output: String, _ codec: ValueCodec = .same) -> FieldSlot {
        FieldSlot(input: input, output: output, codec: codec)
    }
}

/// The one table of how each dialect names and writes each canonical image field.
/// Dialects look their keys up here and never spell an image field themselves.
public enum FieldMap {
    public static let images: [(field: ImageField, slots: [DialectID: FieldSlot])] = [
        (.id, [.foreman: .out("id"), .cecstack: .out("id")]),
        (.imageId, [.idc51: .io("image_id"), .cecstack: .io("imageId")]),
        (.name, [.foreman: .io("name"), .idc51: .io("image_name"), .cecstack: .io("name")]),
        (.description, [.idc51: .io("description"), .cecstack: .io("description")]),
        (.status, [.idc51: .out("status", .idcStatus), .cecstack: .out("status")]),
        (.transitionStatus, [.idc51: .out("transition_status")]),
        (.imageType, [.cecstack: .io("imageType")]),
        (.diskFormat, [.cecstack: .io("diskFormat")]),
        (.minDisk, [.cecstack: .io("minDisk")]),
        (.minRam, [.cecstack: .io("minRam")]),
        (.cpuArch, [.cecstack: .io("cpuArch")]),
        (.bits, [.idc51: .io("processor_type", .bits(suffix: "bit")),
                 .cecstack: .io(in: "instruction", out: "instructions", .bits(suffix: "-bits"))]),
        (.osType, [.idc51: .io("platform"), .cecstack: .io("osType")]),
        (.osVersion, [.cecstack: .io("osVersion")]),
        (.platform, [.idc51: .io("os_family", .lowercased), .cecstack: .io("platform")]),
        (.visibility, [.idc51: .io("visibility"), .cecstack: .io("visibility")]),
        (.bootMode, [.cecstack: .io("bootMode")]),
        (.usage, [.cecstack: .io("usage")]),
        (.owner, [.idc51: .out("owner"), .cecstack: .io(in: "tenantId", out: "owner")]),
        (.departmentId, [.cecstack: .io("departmentId")]),
        (.resourceGroupId, [.cecstack: .io("resourceGroupId")]),
        (.region, [.cecstack: .io("region")]),
        (.size, [.idc51: .out("size", .gigabytes), .cecstack: .out("size")]),
        (.checksum, [.cecstack: .out("checksum")]),
        (.username, [.foreman: .io("username"), .idc51: .out("default_user")]),
        (.password, [.idc51: .out("default_passwd")]),
        (.uuid, [.foreman: .io("uuid")]),
        (.userData, [.foreman: .io("user_data")]),
        (.computeResourceId, [.foreman: .io("compute_resource_id")]),
        (.computeResourceName, [.foreman: .out("compute_resource_name")]),
        (.operatingsystemId, [.foreman: .io("operatingsystem_id")]),
        (.operatingsystemName, [.foreman: .out("operatingsystem_name")]),
        (.architectureId, [.foreman: .io("architecture_id")]),
        (.architectureName, [.foreman: .out("architecture_name")]),
        (.provider, [.idc51: .io("provider")]),
        (.sourceType, [.cecstack: .out("sourceType")]),
        (.uploadId, [.cecstack: .out("uploadId")]),
        (.createdAt, [.foreman: .out("created_at", .time(.foreman)), .idc51: .out("create_time", .time(.isoSeconds)),
                      .cecstack: .out("createdAt", .time(.rfc3339Millis))]),
        (.updatedAt, [.foreman: .out("updated_at", .time(.foreman)), .cecstack: .out("updatedAt", .time(.rfc3339Millis))]),
        (.statusTime, [.idc51: .out("status_time", .time(.isoSeconds))]),
    ]

    private static let byField: [ImageField: [DialectID: FieldSlot]] =
        Dictionary(images.map { ($0.field, $0.slots) }, uniquingKeysWith: { first, _ in first })

    public static func slot(_ field: ImageField, in dialect: DialectID) -> FieldSlot? {
        byField[field]?[dialect]
    }

    /// The dialect's key for a canonical field (as answered, else as accepted).
    public static func key(_ field: ImageField, in dialect: DialectID) -> String? {
        slot(field, in: dialect).flatMap { $0.output ?? $0.input }
    }

    /// Every field the dialect answers, under its own keys and in its own value forms.
    public static func encode(_ view: ImageView, for dialect: DialectID) -> [String: JSONValue] {
        let answered = answers[dialect.index]
        var out: [String: JSONValue] = [:]
        out.reserveCapacity(answered.count)
        for (field, key, codec) in answered {
            if case .time(let style) = codec, let date = view.date(field) {
                // Rendered from the Date itself: formatting to canonical text and parsing it back
                // cost two date conversions per time field on every answer.
                out[key] = style.render(date)
            } else {
                out[key] = codec.encode(view.value(field))
            }
        }
        return out
    }

    /// The answered slots of `images`, per dialect in `DialectID.allCases` order: encoding an
    /// answer walks one short array instead of looking each field's dialect up in a dictionary.
    private static let answers: [[(field: ImageField, key: String, codec: ValueCodec)]] = DialectID.allCases.map { dialect in
        images.compactMap { field, slots in slots[dialect].flatMap { slot in slot.output.map { (field, $0, slot.codec) } } }
    }

    /// Reads every writable field the dialect accepts from `object` into a canonical patch.
    /// Keys the dialect does not know are ignored, as the legacy servers did.
    public static func decode(_ object: [String: JSONValue], from dialect: DialectID) throws(CanonicalError) -> ImagePatch {
        var patch: ImagePatch = [:]
        for (field, slots) in images where field.isWritable {
            guard let slot = slots[dialect], let key = slot.input, let raw = object[key] else { continue }
            patch[field] = try decodeValue(raw, field: field, slot: slot, dialect: dialect)
        }
        return patch
    }

    /// One value from the wire to canonical form, or the dialect-named field error.
    public static func decodeValue(_ raw: JSONValue, field: ImageField, in dialect: DialectID) throws(CanonicalError) -> JSONValue {
        guard let slot = slot(field, in: dialect) else { return raw }
        return try decodeValue(raw, field: field, slot: slot, dialect: dialect)
    }

    private static func decodeValue(_ raw: JSONValue, field: ImageField, slot: FieldSlot,
                                    dialect: DialectID) throws(CanonicalError) -> JSONValue {
        do {
            return try slot.codec.decode(raw, as: field.kind)
        } catch {
            guard case .wrongType(let phrase) = error else { throw .internal("unreachable") }
            throw .invalidParameter(field: field.rawValue, message: phrase)
        }
    }
}
