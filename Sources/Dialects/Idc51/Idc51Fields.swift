import GatewayHTTP
import IMSModel

extension Idc51Dialect {
    /// 51idc's names for canonical image states; one of them may stand for several.
    static let statuses: [String: [String]] = [
        "pending": [ImageStatus.queued.rawValue, ImageStatus.saving.rawValue],
        "available": [ImageStatus.active.rawValue],
        "deprecated": [ImageStatus.deprecated.rawValue],
        "suspended": [ImageStatus.suspended.rawValue],
        "deleted": [ImageStatus.deleted.rawValue],
        "ceased": [ImageStatus.killed.rawValue],
    ]

    /// 51idc's snake_case keys for image fields (sizes in GB, times as `2016-06-23T08:23:25Z`).
    static let slots = FieldSlots(.idc51, [
        (.imageId, .io("image_id")),
        (.name, .io("image_name")),
        (.description, .io("description")),
        (.status, .out("status", .vocabulary(statuses))),
        (.transitionStatus, .out("transition_status")),
        (.bits, .io("processor_type", .bits(suffix: "bit"))),
        (.osType, .io("platform")),
        (.platform, .io("os_family", .lowercased)),
        (.visibility, .io("visibility")),
        (.owner, .out("owner")),
        (.size, .out("size", .gigabytes)),
        (.username, .out("default_user")),
        (.password, .out("default_passwd")),
        (.provider, .io("provider")),
        (.createdAt, .out("create_time", .time(.isoSeconds))),
        (.statusTime, .out("status_time", .time(.isoSeconds))),
    ])

    public var fields: FieldSlots { Self.slots }
}
