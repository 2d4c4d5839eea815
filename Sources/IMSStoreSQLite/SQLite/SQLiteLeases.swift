import Foundation
import GRDB
import IMSService

/// Named leases in the SQLite store: one process opens the file, so the check and the write
/// are one write transaction of its single writer.
extension SQLiteStore: Leases {
    public func acquire(_ name: String, holder: String, now: Date, until: Date) async throws -> Bool {
        try await pool.write { db in
            let held = try Row.fetchOne(db, sql: "SELECT holder, until FROM lease WHERE name = ?", arguments: [name])
            if let held, held["holder"] as String != holder, (held["until"] as Date) >= now { return false }
            try db.execute(sql: "INSERT OR REPLACE INTO lease (name, holder, until) VALUES (?, ?, ?)", arguments: [name, holder, until])
            return true
        }
    }

    public func release(_ name: String, holder: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM lease WHERE name = ? AND holder = ?", arguments: [name, holder])
        }
    }
}
