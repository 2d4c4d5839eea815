import Foundation
import IMSModel
import NIOConcurrencyHelpers

/// The signatures of requests already accepted, each kept until its request would be refused
/// for its age anyway, so the same signed request is not accepted twice. Bounded: when full of
/// signatures still in their window, a new request is refused as unavailable (clients retry),
/// never let through unremembered.
public final class ReplayMemory: Sendable {
    struct State {
        var seen: [String: Date] = [:]
        /// No entry expires before this: a full memory is swept only once something can go.
        var soonestExpiry = Date.distantFuture
    }

    public let maxEntries: Int
    private let state = NIOLockedValueBox(State())

    public init(maxEntries: Int = 100_000) {
        self.maxEntries = max(1, maxEntries)
    }

    public var count: Int { state.withLockedValue { $0.seen.count } }

    /// Records `key` until `expiry`; throws `.unauthorized` if it was seen and has not expired.
    public func admit(_ key: String, until expiry: Date, now: Date) throws(CanonicalError) {
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
        case false?: throw .unauthorized("this signed request was already received: sign each request anew")
        case nil: throw .unavailable("too many signed requests at once; try again shortly")
        }
    }

}
