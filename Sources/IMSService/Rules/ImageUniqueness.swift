/// Foreman's uniqueness rules, stated once: among one compute resource's images, a name is
/// taken per operating system (nil counts as one), and a uuid, when given, is taken. Images
/// outside a compute resource are free of both. Stores enforce the keys atomically (on
/// PostgreSQL under a lock of the key's values, so N gateways on one schema agree).
enum ImageUniqueness {
    static let keys: [ImageUniqueKey] = [
        ImageUniqueKey(.name, fields: [.computeResourceId, .name, .operatingsystemId], required: [.computeResourceId]),
        ImageUniqueKey(.uuid, fields: [.computeResourceId, .uuid], required: [.computeResourceId, .uuid]),
    ]
}
