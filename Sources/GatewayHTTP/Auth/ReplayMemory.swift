import Foundation
import IMSModel
import IMSService
import Logging
import NIOConcurrencyHelpers

/// The signatures of requests already accepted, each kept until its request would be refused
/// for its age anyway, so the same signed request is not accepted twice. Bounded: when full of
/// signatures still in their window, a new request is refused as unavailable (clients retry),
/// never let through unremembered.
///
/// This process's memory answers first (a replay to the same gateway costs no store trip);
/// once the gateway's store is shared (`share(through:)`) every signature is also filed there,
/// so a request replayed to another gateway of the deployment, or after a restart, is refused.
public final class ReplayMemory: Sendable {
    struct State {
        var seen: [String: Date] = [:]
        /// No entry expires before this: a full memory is swept only once something can go.
        var soonestExpiry = Date.distantFuture
        var shared: (any SeenSignatures)?
        /// When the store's expired signatures are next deleted (at most once a minute).
        var nextSweep = Date.distantPast
    }

    public let maxEntries: Int
    private let state = NIOLockedValueBox(State())
    static let logger = Logger(label: "ims-gateway.auth")

    public init(maxEntries: Int = 100_000) {
        self.maxEntries = max(1, maxEntries)
    }

    public var count: Int { state.withLockedValue { $0.seen.count } }

    /// Files every admitted signature in `store` too, from now on.
    public func share(through store: any SeenSignatures) {
        state.withLockedValue { $0.shared = store }
    }

    /// Records `key` until `expiry` here and, when shared, in the store; throws `.unauthorized`
    /// if either has it unexpired, `.unavailable` if the store cannot say.
    public func admit(_ key: String, until expiry: Date, now: Date) async throws(CanonicalError) {
        try admitHere(key, until: expiry, now: now)
        let (shared, sweep) = state.withLockedValue { state -> ((any SeenSignatures)?, Bool) in
            let due = state.shared != nil && now >= state.nextSweep
            if due { state.nextSweep = now + 60 }
            return (state.shared, due)
        }
        guard let shared else { return }
        let first: Bool
        do {
            if sweep { try await shared.forgetSignatures(before: now) }
            first = try await shared.admit(signature: Self.filed(key), until: expiry, now: now)
        } catch {
            // Not accepted, so not remembered: the client's retry of this request must pass.
            state.withLockedValue { _ = $0.seen.removeValue(forKey: key) }
            Self.logger.error("signature memory unavailable", metadata: ["error": .string("\(error)")])
            throw .unavailable("the gateway cannot check this request now; try again shortly")
        }
        guard first else { throw Self.replay }
    }

    /// This process's check and record alone.
    func admitHere(_ key: String, until expiry: Date, now: Date) throws(CanonicalError) {
        let admitted: Bool? = state.withLockedValue { state in
            if let until = state.seen[key], until >= now { return false }
            if state.seen.count >= maxEntries, now >= state.soonestExpiry {
                state.seen = state.seen.filter { $0.value >= now }
                state.soonestExpiry = state.seen.values.min() ?? .distantFuture
            }
            guard state.seen.count < maxEntries else { return nil }
            state.seen[key] = expiry
            state.soonestExpiry = min(state.soonestExpiry, expiry)
            return true
        }
        switch admitted {
        case true?: return
        case false?: throw Self.replay
        case nil: throw .unavailable("too many signed requests at once; try again shortly")
        }
    }

    /// The key as the store files it: a digest, of one length and without the NULs that
    /// separate the key's parts (SQLite would compare text cut at the first, PostgreSQL refuses it).
    static func filed(_ key: String) -> String {
        Secrets.sha256Hex(key)
    }

    static let replay = CanonicalError.unauthorized("this signed request was already received: sign each request anew")
}
