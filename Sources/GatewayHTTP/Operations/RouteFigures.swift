import Foundation
import NIOConcurrencyHelpers

/// Requests, errors and latency per route (template, dialect, operation) over the last minutes, for the console's
/// chart: a ring of per-minute counts with a fixed latency histogram each, so memory stays the
/// same however busy the gateway is. Prometheus keeps totals since start; an operator deciding
/// whether a route is safe to move wants the recent minutes.
public final class RouteFigures: Sendable {
    /// Minutes kept.
    public static let minutes = 15

    public struct Key: Hashable, Sendable, Comparable {
        public var dialect: String
        public var operation: String
        /// The route template matched (a route's mounts are routes of their own).
        public var route: String

        public static func < (a: Key, b: Key) -> Bool { (a.dialect, a.operation, a.route) < (b.dialect, b.operation, b.route) }
    }

    /// One minute of one operation.
    public struct Minute: Sendable, Equatable {
        /// Minutes since 1970: which minute of the ring this slot holds now.
        public var minute: Int64
        public var requests = 0
        /// Answers of 500 and above: the gateway's or the backend's fault.
        public var errors = 0
        /// Answers of 400 to 499: what the clients got wrong.
        public var rejected = 0
        /// Requests by the latency bucket they fell in (`bounds`, then one past the last).
        public var buckets: [Int]

        init(minute: Int64, bucketCount: Int) {
            self.minute = minute
            buckets = Array(repeating: 0, count: bucketCount + 1)
        }
    }

    /// The latency buckets' upper bounds, the same as the Prometheus histogram's.
    public let bounds: [Duration]
    private let rings = NIOLockedValueBox<[Key: [Minute]]>([:])

    public init(bounds: [Duration]) {
        self.bounds = bounds
    }

    func record(dialect: String, operation: String, route: String, status: Int, duration: Duration, at now: Date = Date()) {
        let minute = Int64(now.timeIntervalSince1970 / 60)
        let slot = Int(minute % Int64(Self.minutes))
        let bucket = bounds.firstIndex { duration <= $0 } ?? bounds.count
        let count = bounds.count
        rings.withLockedValue { rings in
            let key = Key(dialect: dialect, operation: operation, route: route)
            var ring = rings.removeValue(forKey: key) ?? Array(repeating: Minute(minute: -1, bucketCount: count), count: Self.minutes)
            if ring[slot].minute != minute { ring[slot] = Minute(minute: minute, bucketCount: count) }
            ring[slot].requests += 1
            if status >= 500 { ring[slot].errors += 1 } else if status >= 400 { ring[slot].rejected += 1 }
            ring[slot].buckets[bucket] += 1
            rings[key] = ring
        }
    }

    /// Each operation's last `minutes` minutes, oldest first, ending with the current one
    /// (a minute with no request is present, empty).
    public func recent(at now: Date = Date()) -> [Key: [Minute]] {
        let current = Int64(now.timeIntervalSince1970 / 60)
        let count = bounds.count
        let rings = rings.withLockedValue { $0 }
        return rings.mapValues { ring in
            (current - Int64(Self.minutes) + 1...current).map { minute in
                let held = ring[Int(minute % Int64(Self.minutes))]
                return held.minute == minute ? held : Minute(minute: minute, bucketCount: count)
            }
        }
    }

    /// The upper bound of the bucket the `quantile` of these requests fell in (`nil`: none, or
    /// beyond the last bound).
    public func quantile(_ quantile: Double, of minutes: [Minute]) -> Duration? {
        var buckets = Array(repeating: 0, count: bounds.count + 1)
        for m in minutes { for (i, n) in m.buckets.enumerated() { buckets[i] += n } }
        let total = buckets.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = Int((Double(total) * quantile).rounded(.up))
        var seen = 0
        for (i, n) in buckets.enumerated() {
            seen += n
            if seen >= rank { return i < bounds.count ? bounds[i] : nil }
        }
        return nil
    }
}
