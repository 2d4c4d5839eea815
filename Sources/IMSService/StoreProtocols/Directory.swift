import IMSModel

/// The users the gateway knows (seeded from the deployment config): htaiyun instance owners and
/// members, CECSTACK share recipients.
public protocol Directory: Sendable {
    func user(_ id: Int64) async throws -> User?

    /// The users of `ids` that exist, in the order of `ids` (missing ones left out).
    func users(_ ids: [Int64]) async throws -> [User]

    /// Upserts by id (start-up seeding; N gateways seeding together must not fail). A user
    /// already there keeps the times it was first stored with: a restart is not a new user.
    func seed(_ users: [User]) async throws

    /// Up to `limit` users with ids above `id`, in id order (a migration reads them all).
    func users(after id: Int64, limit: Int) async throws -> [User]

    /// Stores each user exactly as given, times included (a migration's copy).
    func put(_ users: [User]) async throws
}
