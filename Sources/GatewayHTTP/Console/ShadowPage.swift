import Foundation
import IMSService

/// Each shadow backend's report, as `ims-gateway shadow report` reads it from the shadow's
/// record file (`GatewayConfig.shadowReport`): counts by operation, the field paths that differ
/// most, and examples with both values, masked when they were recorded.
struct ShadowPage: Sendable {
    struct Operation: Sendable {
        var operation: String
        var compared: Int
        var mismatched: Int
        var rate: String
        var dropped: Int
        var secondaryErrors: Int
    }

    /// One hour of one operation: its mismatch rate as a bar of the chart's height.
    struct Hour: Sendable {
        var hour: String
        var operation: String
        var compared: Int
        var mismatched: Int
        var rate: String
        var barWidth: Int
    }

    struct Example: Sendable {
        var at: String
        var dialect: String
        var operation: String
        var path: String
        var kind: String
        var primary: String
        var secondary: String
        var requestId: String
    }

    struct Shadow: Sendable {
        var name: String
        var primary: String
        var secondary: String
        var record: String
        var since: String
        var note: String?
        var hasReport: Bool
        var operations: [Operation] = []
        var paths: [ShadowReport.PathCount] = []
        var hasPaths = false
        var examples: [Example] = []
        var hasExamples = false
        var hours: [Hour] = []
        var hasHours = false
    }

    /// As far back as the CLI's report looks by default.
    static let window: TimeInterval = 86_400

    var title: String
    var nav: [ConsolePage.Link]
    var generated: String
    var shadows: [Shadow]
    var hasShadows: Bool

    /// Reads each shadow's record file: call it off the event loops.
    init(config: GatewayConfig, now: Date = Date()) {
        let page = ConsolePage("/console/shadow")
        (title, nav, generated) = (page.title, page.nav, page.generated)
        let since = now.addingTimeInterval(-Self.window)
        shadows = config.backends.filter { $0.value.kind == .shadow }.keys.sorted().map { name in
            let entry = config.backends[name]!
            var shadow = Shadow(name: name, primary: entry.primary ?? "?", secondary: entry.secondary ?? "?",
                                record: (try? config.shadowRecord(named: name)) ?? "?", since: ConsolePage.time(since), hasReport: false)
            do {
                let report = try config.shadowReport(named: name, since: since)
                shadow.hasReport = true
                shadow.operations = report.operations.map {
                    Operation(operation: $0.operation, compared: $0.compared, mismatched: $0.mismatched,
                              rate: String(format: "%.2f%%", $0.mismatchRate * 100), dropped: $0.dropped, secondaryErrors: $0.secondaryErrors)
                }
                shadow.paths = report.paths
                shadow.hasPaths = !report.paths.isEmpty
                shadow.examples = report.examples.map {
                    Example(at: ConsolePage.time($0.at), dialect: $0.dialect, operation: $0.operation, path: $0.path, kind: $0.kind,
                            primary: $0.primary, secondary: $0.secondary, requestId: $0.requestId)
                }
                shadow.hasExamples = !shadow.examples.isEmpty
                shadow.hours = report.hours.map {
                    Hour(hour: ConsolePage.time($0.hour), operation: $0.operation, compared: $0.compared, mismatched: $0.mismatched,
                         rate: String(format: "%.2f%%", $0.mismatchRate * 100), barWidth: Int(($0.mismatchRate * 200).rounded()))
                }
                shadow.hasHours = !shadow.hours.isEmpty
                if report.operations.isEmpty { shadow.note = "Nothing compared in this window." }
            } catch {
                shadow.note = "\(error)"
            }
            return shadow
        }
        hasShadows = !shadows.isEmpty
    }
}
