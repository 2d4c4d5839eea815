import Foundation

/// Named leases: work that one gateway of a deployment does at a time for all of them (the
/// scheduled Glance sync), in the store they share, so N gateways on one PostgreSQL agree
/// without anything else running. A lease is held until a time, not until released: a gateway
/// killed while holding one blocks that work until the lease lapses, no longer.
public protocol Leases: Sendable {
    /// Atomically takes `name` for `holder` until `until` when no one holds it, its lease
    /// lapsed (`until` before `now`), or `holder` already holds it (then it is extended).
    /// Answers whether `holder` holds it now. Times are the callers' clocks: gateways that
    /// share a lease should agree on the time within a small part of a lease.
    func acquire(_ name: String, holder: String, now: Date, until: Date) async throws -> Bool

    /// Gives `name` up if `holder` holds it (a gateway that stops lets another take over at once).
    func release(_ name: String, holder: String) async throws
}
