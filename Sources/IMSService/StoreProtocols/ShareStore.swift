import IMSModel

/// CECSTACK shares: an image made visible to chosen users. A share row's `userId` is the user's
/// id as text; its `shareId` is minted by the service.
public protocol ShareStore: Sendable {
    /// The share `shareId` names, if any.
    func share(_ shareId: String) async throws -> ImageShare?

    /// All-or-nothing: atomically, if no share of `shares` exists yet (same `imageId` and
    /// `userId`), inserts them all and answers them with their row ids and user names (the
    /// `Directory` user's `username`), in order; otherwise inserts none and throws
    /// `.rejected(.alreadyShared, "image <imageId> is already shared with <userId>")` for the
    /// first that exists. Concurrent shares of one pair: exactly one succeeds.
    func insert(_ shares: [ImageShare]) async throws -> [ShareView]

    /// All-or-nothing: atomically, if the image is shared with every user of `userIds`, deletes
    /// those shares and answers them (with user names) in order; otherwise deletes none and
    /// throws `.rejected(.notShared, "image <imageId> is not shared with <userId>")` for the first missing.
    func delete(imageId: String, userIds: [String]) async throws -> [ShareView]

    /// Deletes one share; answers whether it existed.
    func delete(shareId: String) async throws -> Bool

    /// A page of one image's shares, by row id, with user names (`image` nil); `total` all of them.
    func shares(of imageId: String, offset: Int, limit: Int) async throws -> SharePage

    /// A page of the shares made to `userId` (every share when nil), by `createdAt` (newest
    /// first when asked) then row id ascending, each with its user name and its image's view
    /// (nil if the image is gone); `total` all of them.
    func received(by userId: String?, offset: Int, limit: Int, newestFirst: Bool) async throws -> SharePage
}
