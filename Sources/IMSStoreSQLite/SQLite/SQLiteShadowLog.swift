import Foundation
import GRDB
import IMSModel
import IMSService
import NIOConcurrencyHelpers

/// A shadow's findings and counts in a SQLite file of their own (`record:` of a shadow entry),
/// beside the stores it compares rather than in either: neither side's data changes because
/// it is watched, and `ims-gateway shadow report` reads the file while the gateway runs.
/// Rows older than the retention window are removed as new ones come.
public final class SQLiteShadowLog: ShadowLog {
    let database: DatabasePool
    let retention: TimeInterval
    /// The last time old rows were removed (a purge every few minutes is plenty).
    private let lastPurge = NIOLockedValueBox(Date.distantPast)

    public init(path: String, retention: TimeInterval = 7 * 86_400) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: path, configuration: configuration)
        self.retention = retention
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS shadow_finding (
                    at REAL NOT NULL, dialect TEXT NOT NULL, operation TEXT NOT NULL, request_id TEXT NOT NULL,
                    kind TEXT NOT NULL, path TEXT NOT NULL, primary_value TEXT NOT NULL, secondary_value TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS shadow_finding_at ON shadow_finding(at);
                CREATE TABLE IF NOT EXISTS shadow_count (
                    minute INTEGER NOT NULL, operation TEXT NOT NULL, outcome TEXT NOT NULL, count INTEGER NOT NULL,
                    PRIMARY KEY (minute, operation, outcome));
                """)
        }
    }

    public func record(_ findings: [ShadowFinding]) async {
        guard !findings.isEmpty else { return }
        try? await database.write { db in
            for f in findings {
                try db.execute(literal: """
                    INSERT INTO shadow_finding VALUES (\(f.at.timeIntervalSince1970), \(f.dialect), \(f.operation), \(f.requestId),
                        \(f.kind.rawValue), \(f.difference.path), \(f.difference.primary), \(f.difference.secondary))
                    """)
            }
        }
        await purgeNowAndThen()
    }

    public func add(_ counts: [ShadowCount: Int], at: Date) async {
        guard !counts.isEmpty else { return }
        let minute = Int64(at.timeIntervalSince1970 / 60)
        try? await database.write { db in
            for (count, n) in counts {
                try db.execute(literal: """
                    INSERT INTO shadow_count VALUES (\(minute), \(count.operation), \(count.outcome.rawValue), \(n))
                    ON CONFLICT (minute, operation, outcome) DO UPDATE SET count = count + excluded.count
                    """)
            }
        }
    }

    private func purgeNowAndThen() async {
        let now = Date()
        let due = lastPurge.withLockedValue { last in
            guard last < now.addingTimeInterval(-300) else { return false }
            last = now
            return true
        }
        guard due else { return }
        let cut = now.timeIntervalSince1970 - retention
        try? await database.write { db in
            try db.execute(literal: "DELETE FROM shadow_finding WHERE at < \(cut)")
            try db.execute(literal: "DELETE FROM shadow_count WHERE minute < \(Int64(cut / 60))")
        }
    }

    /// Counts by operation since `since`, the most frequent differing paths, and up to
    /// `examples` recent findings, one per operation and path.
    public func report(since: Date, examples: Int = 20) throws -> ShadowReport {
        try database.read { db in
            var rows: [String: ShadowReport.Row] = [:]
            for row in try SQLRequest<Row>(literal: """
                SELECT operation, outcome, SUM(count) AS n FROM shadow_count
                WHERE minute >= \(Int64(since.timeIntervalSince1970 / 60)) GROUP BY operation, outcome
                """).fetchAll(db) {
                let operation: String = row["operation"]
                var r = rows[operation] ?? ShadowReport.Row(operation: operation)
                let n: Int = row["n"]
                switch ShadowOutcome(rawValue: row["outcome"]) {
                case .compared: r.compared = n
                case .mismatched: r.mismatched = n
                case .dropped: r.dropped = n
                case .secondaryError: r.secondaryErrors = n
                case nil: break
                }
                rows[operation] = r
            }
            let paths = try SQLRequest<Row>(literal: """
                SELECT operation, path, kind, COUNT(*) AS n FROM shadow_finding WHERE at >= \(since.timeIntervalSince1970)
                GROUP BY operation, path, kind ORDER BY n DESC, operation, path LIMIT 20
                """).fetchAll(db).map { ShadowReport.PathCount(operation: $0["operation"], path: $0["path"], kind: $0["kind"], count: $0["n"]) }
            let shown = try SQLRequest<Row>(literal: """
                SELECT * FROM shadow_finding WHERE rowid IN (
                    SELECT MAX(rowid) FROM shadow_finding WHERE at >= \(since.timeIntervalSince1970) GROUP BY operation, path, kind)
                ORDER BY at DESC LIMIT \(examples)
                """).fetchAll(db).map {
                ShadowReport.Example(at: Date(timeIntervalSince1970: $0["at"]), dialect: $0["dialect"], operation: $0["operation"],
                                     requestId: $0["request_id"], kind: $0["kind"], path: $0["path"],
                                     primary: $0["primary_value"], secondary: $0["secondary_value"])
            }
            var hours: [ShadowReport.Hour] = []
            for row in try SQLRequest<Row>(literal: """
                SELECT minute / 60 AS hour, operation, outcome, SUM(count) AS n FROM shadow_count
                WHERE minute >= \(Int64(since.timeIntervalSince1970 / 60)) AND outcome IN ('compared', 'mismatched')
                GROUP BY hour, operation, outcome ORDER BY hour, operation
                """).fetchAll(db) {
                let hour = Date(timeIntervalSince1970: TimeInterval((row["hour"] as Int64) * 3600))
                let operation: String = row["operation"]
                if hours.last?.hour != hour || hours.last?.operation != operation {
                    hours.append(ShadowReport.Hour(hour: hour, operation: operation))
                }
                if row["outcome"] == ShadowOutcome.compared.rawValue { hours[hours.count - 1].compared = row["n"] }
                else { hours[hours.count - 1].mismatched = row["n"] }
            }
            return ShadowReport(since: since, operations: rows.values.sorted { $0.operation < $1.operation },
                                paths: paths, examples: shown, hours: hours)
        }
    }
}

