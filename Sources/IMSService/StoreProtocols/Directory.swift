import IMSModel

/// The users the gateway knows (seeded from the deployment config): htaiyun instance owners and
/// members, CECSTACK share recipients.
public protocol Directory: Sendable {
    func user(_ id: Int64) async throws -> User?

    /// The users of `ids` that exist, in the order of `ids` (missing ones left out).
    func users(_ ids: [Int64]) async throws -> [User]

    /// Upserts by id (start-up seeding; N gateways seeding together must not fail).
    func seed(_ users: [User]) async throws
}
