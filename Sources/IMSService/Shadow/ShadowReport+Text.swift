import Foundation
import IMSModel

extension ShadowReport {
    /// The report as an operator reads it on a terminal: counts by operation, the paths that
    /// differ most, then examples with both values.
    public var text: String {
        var lines = ["shadow findings since \(ISO8601DateFormatter().string(from: since))", ""]
        let header = ["operation", "compared", "mismatched", "rate", "dropped", "secondary errors"]
        var rows = operations.map {
            [$0.operation, "\($0.compared)", "\($0.mismatched)", String(format: "%.2f%%", $0.mismatchRate * 100),
             "\($0.dropped)", "\($0.secondaryErrors)"]
        }
        if rows.isEmpty { rows = [["(nothing compared yet)", "", "", "", "", ""]] }
        lines += Self.table([header] + rows)
        if !paths.isEmpty {
            lines += ["", "most frequent differences:"]
            lines += Self.table([["count", "operation", "field path", "kind"]] + paths.map { ["\($0.count)", $0.operation, $0.path, $0.kind] })
        }
        if !examples.isEmpty {
            lines += ["", "examples:"]
            for e in examples {
                lines.append("  \(ISO8601DateFormatter().string(from: e.at))  \(e.dialect) \(e.operation)  request \(e.requestId)")
                lines.append("    \(e.path) (\(e.kind)): primary \(e.primary)  secondary \(e.secondary)")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func table(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            "  " + row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
    }
}
