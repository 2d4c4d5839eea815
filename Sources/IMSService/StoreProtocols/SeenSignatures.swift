import Foundation

/// Signed requests already accepted, kept by the store so that every gateway of a deployment
/// sees them: a captured request replayed to another gateway, or to this one after a restart,
/// is refused like one replayed here. Keys are opaque text without NUL (the gateway files a
/// digest of a signature's bytes).
public protocol SeenSignatures: Sendable {
    /// Records `key` until `expiry`, atomically with the check that no record of it lasts
    /// beyond `now`; false when one does (the request was accepted before: a replay).
    func admit(signature key: String, until expiry: Date, now: Date) async throws -> Bool

    /// Deletes the records whose time ended before `now`.
    func forgetSignatures(before now: Date) async throws
}
