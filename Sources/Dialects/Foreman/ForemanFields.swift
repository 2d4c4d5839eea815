import GatewayHTTP

extension ForemanDialect {
    /// Foreman's keys for image fields (times as `2019-09-11 14:34:13 UTC`).
    static let slots = FieldSlots(.foreman, [
        (.id, .out("id")),
        (.name, .io("name")),
        (.username, .io("username")),
        (.uuid, .io("uuid")),
        (.userData, .io("user_data")),
        (.computeResourceId, .io("compute_resource_id")),
        (.computeResourceName, .out("compute_resource_name")),
        (.operatingsystemId, .io("operatingsystem_id")),
        (.operatingsystemName, .out("operatingsystem_name")),
        (.architectureId, .io("architecture_id")),
        (.architectureName, .out("architecture_name")),
        (.createdAt, .out("created_at", .time(.foreman))),
        (.updatedAt, .out("updated_at", .time(.foreman))),
    ])

    public var fields: FieldSlots { Self.slots }
}
