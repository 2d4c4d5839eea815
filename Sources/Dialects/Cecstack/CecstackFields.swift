import GatewayHTTP

extension CecstackDialect {
    /// CECSTACK's camelCase keys for image fields (`instruction` in, `instructions` out).
    static let slots = FieldSlots(.cecstack, [
        (.id, .out("id")),
        (.imageId, .io("imageId")),
        (.name, .io("name")),
        (.description, .io("description")),
        (.status, .out("status")),
        (.imageType, .io("imageType")),
        (.diskFormat, .io("diskFormat")),
        (.minDisk, .io("minDisk")),
        (.minRam, .io("minRam")),
        (.cpuArch, .io("cpuArch")),
        (.bits, .io(in: "instruction", out: "instructions", .bits(suffix: "-bits"))),
        (.osType, .io("osType")),
        (.osVersion, .io("osVersion")),
        (.platform, .io("platform")),
        (.visibility, .io("visibility")),
        (.bootMode, .io("bootMode")),
        (.usage, .io("usage")),
        (.owner, .io(in: "tenantId", out: "owner")),
        (.departmentId, .io("departmentId")),
        (.resourceGroupId, .io("resourceGroupId")),
        (.region, .io("region")),
        (.size, .out("size")),
        (.checksum, .out("checksum")),
        (.sourceType, .out("sourceType")),
        (.uploadId, .out("uploadId")),
        (.createdAt, .out("createdAt", .time(.rfc3339Millis))),
        (.updatedAt, .out("updatedAt", .time(.rfc3339Millis))),
    ])

    public var fields: FieldSlots { Self.slots }
}
