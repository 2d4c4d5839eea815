import Foundation

/// The answers of mutations sent under an idempotency key, kept by the store so that a repeat
/// is answered from the record whichever gateway it reaches, and after a restart. A record is
/// filed under an opaque scope (the key with the identity that sent it) with the request it
/// belongs to (opaque too: a digest of the command). While one gateway runs the command the
/// record holds its owner and a lease; a gateway that dies mid-run lets the lease lapse and a
/// repeat then runs the command anew.
public protocol IdempotencyRecords: Sendable {
    /// Takes `scope` for a run by `owner` until `lease`, atomically: when it has no record, or
    /// its record's answer expired before `now`, or its run's lease lapsed before `now`.
    /// Otherwise answers what the record holds.
    func claim(_ scope: String, request: String, owner: String, lease: Date, now: Date) async throws -> IdempotencyClaim

    /// Records the run's answer until `expires`, if `owner` still holds the scope.
    func finish(_ scope: String, owner: String, answer: String, expires: Date) async throws

    /// Gives up `owner`'s claim without an answer (the run said nothing about the store).
    func release(_ scope: String, owner: String) async throws

    /// Deletes answers that expired, and runs whose lease lapsed, before `now`.
    func forgetIdempotency(before now: Date) async throws
}

/// What `IdempotencyRecords.claim` found.
public enum IdempotencyClaim: Sendable, Equatable {
    /// The caller holds the scope: it runs the command, then finishes or releases it.
    case claimed
    /// Another run holds the scope under a live lease; `request` is the one it runs.
    case running(request: String)
    /// The scope's answer, recorded for `request`.
    case done(request: String, answer: String)
}
