import Foundation
import IMSService

/// Requests, errors and latency per dialect operation over the last minutes (`RouteFigures`),
/// each with a bar per minute drawn as inline SVG.
struct TrafficPage: Sendable {
    struct Bar: Sendable {
        var x: Int
        var y: Int
        var requestHeight: Int
        var errorY: Int
        var errorHeight: Int
        var label: String
    }

    struct Row: Sendable {
        var dialect: String
        var operation: String
        var route: String
        var requests: Int
        var errors: Int
        var rejected: Int
        var p50: String
        var p99: String
        var width: Int
        var height: Int
        var bars: [Bar]
    }

    var title: String
    var nav: [ConsolePage.Link]
    var generated: String
    var minutes = RouteFigures.minutes
    var rows: [Row]
    var empty: Bool

    static let chartHeight = 40

    init(figures: RouteFigures, now: Date = Date()) {
        let page = ConsolePage("/console/traffic")
        (title, nav, generated) = (page.title, page.nav, page.generated)
        let recent = figures.recent(at: now).filter { $0.value.contains { $0.requests > 0 } }
        rows = recent.keys.sorted().map { key in
            let minutes = recent[key]!
            let most = max(1, minutes.map(\.requests).max() ?? 1)
            let height = Self.chartHeight
            let bars = minutes.enumerated().map { i, m in
                let requests = m.requests * height / most, errors = m.errors * height / most
                let at = ConsolePage.time(Date(timeIntervalSince1970: TimeInterval(m.minute * 60)))
                return Bar(x: i * 10 + 1, y: height - requests, requestHeight: requests, errorY: height - errors, errorHeight: errors,
                           label: "\(at): \(m.requests) requests, \(m.errors) errors, \(m.rejected) rejected")
            }
            return Row(dialect: key.dialect, operation: key.operation, route: key.route, requests: minutes.map(\.requests).reduce(0, +),
                       errors: minutes.map(\.errors).reduce(0, +), rejected: minutes.map(\.rejected).reduce(0, +),
                       p50: Self.text(figures.quantile(0.5, of: minutes), figures), p99: Self.text(figures.quantile(0.99, of: minutes), figures),
                       width: minutes.count * 10 + 2, height: height, bars: bars)
        }
        empty = rows.isEmpty
    }

    /// "≤ 2.5 ms": a bucket's bound is all a histogram knows of a quantile.
    static func text(_ bound: Duration?, _ figures: RouteFigures) -> String {
        guard let bound else { return figures.bounds.last.map { "> " + Self.text($0) } ?? "–" }
        return "≤ " + text(bound)
    }

    static func text(_ d: Duration) -> String {
        let ms = d.milliseconds
        return ms < 1 ? String(format: "%.2g ms", ms) : ms < 1000 ? String(format: "%g ms", ms) : String(format: "%g s", ms / 1000)
    }
}
