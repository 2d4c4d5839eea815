import Foundation
import IMSModel

/// htaiyun application instances and their members. Reads answer `InstanceView`s: the instance
/// with its application and its owner user (both must exist; a missing one is an internal error).
public protocol InstanceStore: Sendable {
    func instance(_ id: Int64) async throws -> InstanceView?

    /// A page of instances: `owner`'s only when set, `query.userId`/`query.applicationId`
    /// when set, then `query.window` as `ApplicationStore.applications` applies it (keywords:
    /// `%kw%` LIKE on `name` or `displayName`, `%` and `_` acting as wildcards).
    func instances(_ query: InstanceQuery, owner: String?) async throws -> InstancePage

    /// Inserts and answers the view. Instance names are unique across the platform, deleted
    /// ones included: atomically refuses a taken `name` (exact) with
    /// `.conflict(field: "name", message: "has already been taken")`.
    func insert(_ instance: ApplicationInstance) async throws -> InstanceView

    /// Writes every field over row `instance.id` if the stored row is still `ACTIVED`, with
    /// `insert`'s name refusal (itself excluded). No such row, or one deleted meanwhile:
    /// `.notFound(kind: "instance", id:)`.
    func update(_ instance: ApplicationInstance) async throws -> InstanceView

    /// All-or-nothing: atomically, if every instance of `ids` exists and is `ACTIVED`, marks
    /// them `DELETED` with `updatedAt = at` and answers their views in the order of `ids`;
    /// otherwise changes nothing and answers nil.
    func markDeleted(_ ids: [Int64], at: Date) async throws -> [InstanceView]?

    /// Adds members (one already a member stays, its date kept). The service has checked the
    /// instance and users exist.
    func addMembers(_ instanceId: Int64, _ userIds: [Int64], at: Date) async throws

    /// All-or-nothing: atomically, if every user of `userIds` is a member, removes them all and
    /// answers nil; otherwise removes nothing and answers the first user id that is not a member.
    func removeMembers(_ instanceId: Int64, _ userIds: [Int64]) async throws -> Int64?

    /// A page of the instance's members: `window.status` when set, `window.keywords` as `%kw%`
    /// LIKE on `name`, `username` or `mobile`, sorted and paged as applications are.
    func members(_ instanceId: Int64, _ window: ListWindow) async throws -> UserPage
}
