import GatewayHTTP
import IMSModel

/// CECSTACK IMS (`/api/image/v1`): public and private images in the
/// `{requestId, code, message, data}` envelope.
public struct CecstackDialect: Dialect {
    public let id = DialectID.cecstack
    public init() {}

    static let maxPageSize = 1000

    /// Allowed values the seed lists, per canonical field.
    static let allowed: [ImageField: Set<String>] = [
        .diskFormat: ["raw", "qcow2"],
        .imageType: ["os_image", "data_image", "whole_image"],
        .cpuArch: ["x86", "arm"],
        .osType: ["linux", "windows", "other"],
        .visibility: ["public", "private", "market"],
        .usage: ["sec", "cke", "bms", "ecs"],
        .bootMode: ["BIOS", "UEFI"],
    ]

    static let requiredOnCreate: [ImageField] = [
        .diskFormat, .minDisk, .minRam, .name, .imageType, .bits, .cpuArch, .osType, .platform, .visibility,
        .usage, .departmentId, .owner,
    ]
    static let requiredOnUpdate: [ImageField] = [
        .bootMode, .cpuArch, .diskFormat, .bits, .minDisk, .minRam, .name, .osType, .osVersion, .platform,
    ]

    public func decode(_ request: DialectRequest) throws(CanonicalError) -> Decoded {
        var echo = request.echo
        let command = try command(request, echo: &echo)
        return Decoded(command, echo)
    }

    func command(_ request: DialectRequest, echo: inout Echo) throws(CanonicalError) -> Command {
        guard let region = request.headers[values: Self.regionHeader].first, !region.isEmpty else {
            throw .invalidParameter(field: Self.regionHeader.rawName, message: "header is required")
        }
        switch request.operation {
        case .imageList:
            return .listImages(try listQuery(request, echo: &echo))
        case .imageGet:
            return .getImage(ImageSelector(ref: try imageRef(request)))
        case .imageCreate:
            var patch = try imagePatch(request, required: Self.requiredOnCreate)
            patch[.status] = .string(ImageStatus.queued.rawValue)
            if patch[.region] == nil { patch[.region] = .string(region) }
            if patch[.bootMode] == nil { patch[.bootMode] = "BIOS" }
            return .createImage(patch)
        case .imageUpdate:
            return .updateImage(ImageSelector(ref: try imageRef(request)),
                                try imagePatch(request, required: Self.requiredOnUpdate))
        case .imageDelete:
            return .deleteImage(ImageSelector(ref: try imageRef(request)))
        default:
            return try decodeFilesAndShares(request, echo: &echo)
        }
    }

    public func encode(_ result: CommandResult, for echo: Echo) throws(CanonicalError) -> DialectResponse {
        let id = echo.requestId
        switch (echo.operation, result) {
        case (.imageUpdate, .image), (.imageExport, .image), (.imageShare, .shares), (.imageUnshare, .shares), (.shareDelete, .shares):
            return CecstackEnvelope.success(id, data: .null)
        case (.imageDelete, .image), (.imageFinishUpload, .image):
            return CecstackEnvelope.success(id, data: nil)
        case (.imagePrepareUpload, .uploadTicket(let ticket)):
            return CecstackEnvelope.success(id, data: Self.uploadTarget(ticket, publicURL: echo.publicURL))
        case (.imageListShares, .shares(let page)), (.shareListReceived, .shares(let page)):
            return CecstackEnvelope.success(id, data: Self.page(page.items.map(Self.share), total: page.total, echo))
        case (.storageListBuckets, .buckets(let buckets)):
            return CecstackEnvelope.success(id, data: .array(buckets.map {
                ["name": .string($0.name), "azId": .string($0.azId), "cellId": .string($0.cellId)]
            }))
        case (.imageGet, .image(let view)), (.imageCreate, .image(let view)), (.imageImport, .image(let view)),
             (.shareCopy, .image(let view)):
            return CecstackEnvelope.success(id, data: .object(Self.image(view)))
        case (.imageList, .images(let page)):
            return CecstackEnvelope.success(id, data: Self.page(page.items.map { .object(Self.image($0)) }, total: page.total, echo))
        default:
            // `image.download` included: its bytes are streamed, never encoded.
            throw echo.unexpected(result, in: self.id)
        }
    }

    public func encode(_ error: CanonicalError, for request: DialectRequest) -> DialectResponse {
        CecstackEnvelope.failure(request, error)
    }

    // MARK: -

    /// The image as CECSTACK shows it: the mapped fields plus its presentation-only keys.
    static func image(_ view: ImageView) -> [String: JSONValue] {
        var out = Self.slots.encode(view)
        out["progress"] = switch view.image.status {
        case .active: "100"
        case .queued: "0%"
        default: "0"
        }
        out["imageTags"] = []
        // Tenant names live with the identities (credentials file), not in the image store.
        out["tenantName"] = ""
        // Bytes are kept by the gateway itself, not in an object store the client could name.
        out["position"] = "local"
        out["path"] = ""
        out["errMessage"] = .string(view.image.errMessage)
        // Keys the seed's copy answer shows; names of departments live outside the image store.
        out["describe"] = .string(view.image.description)
        out["departmentName"] = ""
        out["resourceGroupName"] = ""
        out["capacityPercentage"] = ""
        out["volumeImages"] = .null
        out["shared"] = .bool(view.image.visibility == .shared)
        return out
    }

    /// `{size, current, total, list}` with the page the client asked for (the size it gave, else
    /// the items').
    static func page(_ items: [JSONValue], total: Int, _ echo: Echo) -> JSONValue {
        [
            "size": .int(Int64(echo.pageSize ?? items.count)),
            "current": .int(Int64(echo.page)),
            "total": .int(Int64(total)),
            "list": .array(items),
        ]
    }

    func imageRef(_ request: DialectRequest) throws(CanonicalError) -> String {
        guard let ref = request.parameter("imageId"), !ref.isEmpty else {
            throw .invalidParameter(field: "imageId", message: "is required")
        }
        return ref
    }

    func imagePatch(_ request: DialectRequest, required: [ImageField]) throws(CanonicalError) -> ImagePatch {
        let body = try request.bodyObject()
        let patch = try Self.slots.decode(body)
        for field in required where patch[field] == nil || patch[field] == .string("") && field != .osVersion {
            throw .invalidParameter(field: field.rawValue, message: "is required")
        }
        try checkValues(patch)
        return patch
    }

    /// The seed's allowed values, name and description rules.
    func checkValues(_ patch: ImagePatch) throws(CanonicalError) {
        for (field, values) in Self.allowed {
            if let v = patch[field]?.stringValue, !values.contains(v) {
                throw .invalidParameter(field: field.rawValue, message: "must be one of \(values.sorted().joined(separator: ", "))")
            }
        }
        if let name = patch[.name]?.stringValue, !Self.isValidName(name) {
            throw .invalidParameter(field: ImageField.name.rawValue,
                                    message: "must be 1-128 letters, digits, Chinese, '-', '.', '_' or spaces, not starting or ending with a space")
        }
        if let text = patch[.description]?.stringValue, !text.isEmpty, !(2...256).contains(text.count) {
            throw .invalidParameter(field: ImageField.description.rawValue, message: "must be 2 to 256 characters")
        }
    }

    /// The seed's name rule: letters, digits, `-`, `.`, `_`, space and Chinese; no outer space.
    static func isValidName(_ name: String) -> Bool {
        guard (1...128).contains(name.count), name.first != " ", name.last != " " else { return false }
        return name.unicodeScalars.allSatisfy { s in
            (s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || "-._ ".unicodeScalars.contains(s)))
                || (0x4E00...0x9FFF).contains(s.value) || (0x3400...0x4DBF).contains(s.value)
        }
    }

    func listQuery(_ request: DialectRequest, echo: inout Echo) throws(CanonicalError) -> ImageQuery {
        let params = try Parameters.merged(request)
        guard params["size"] != nil else { throw .invalidParameter(field: "size", message: "is required") }
        guard params["current"] != nil else { throw .invalidParameter(field: "current", message: "is required") }
        let size = try Parameters.bounded(params["size"], name: "size", default: 10, range: 1...Self.maxPageSize)
        let current = try Parameters.bounded(params["current"], name: "current", default: 1, range: 1...Int(Int32.max))
        (echo.page, echo.pageSize) = (current, try Parameters.int(params["size"], name: "size") == nil ? nil : size)
        let scope: ImageScope = request.parameter("scope") == "public" ? .publicOnly : .own
        let filters = try Self.filters(try Parameters.string(params["filter"], name: "filter") ?? "")
        return ImageQuery(scope: scope, filters: filters, sort: [SortKey(.createdAt, descending: true)],
                          offset: Parameters.offset(page: current, size: size), limit: size)
    }

    /// `name:lk:x|imageId:eq:img-x|` → conditions; a term with an empty value is no condition.
    static func filters(_ text: String) throws(CanonicalError) -> [ImageCondition] {
        var out: [ImageCondition] = []
        for clause in text.split(separator: "|") where !clause.isEmpty {
            let parts = clause.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let field = ImageField(rawValue: String(parts[0])),
                  [.name, .imageId, .status, .osType, .platform].contains(field) else {
                throw .invalidParameter(field: "filter", message: "bad clause '\(clause)'")
            }
            let op: ImageCondition.Op
            switch parts[1] {
            case "lk": op = .contains
            case "eq": op = .eq
            default: throw .invalidParameter(field: "filter", message: "unknown operator '\(parts[1])'")
            }
            // The seed's form leaves unused terms empty (`imageId:eq:`): no value, no condition.
            guard !parts[2].isEmpty else { continue }
            out.append(ImageCondition(field, op, [.string(String(parts[2]))]))
        }
        return out
    }
}
