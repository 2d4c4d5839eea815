import Foundation

/// A `Duration` in the units the APIs around it take (Foundation's seconds, swift-metrics'
/// nanoseconds, a log's milliseconds): written once for every target.
extension Duration {
    package var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    package var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    package var milliseconds: Double { Double(nanoseconds) / 1_000_000 }
}
