import Foundation
import IMSService

extension GatewayConfig {
    /// Where `migrate --from FROM --to TO` keeps its checkpoint unless told otherwise: in the
    /// config's data folder, named after the pair so the console can find it.
    public func migrationCheckpoint(from: String, to: String) -> String {
        resolve("./data/migrate-\(from)-\(to).checkpoint")
    }

    /// The status of each migration between two of this config's backends that wrote one at
    /// its default checkpoint, newest first. Reads files: call it off the event loops.
    public func migrationStatuses() -> [MigrationStatus] {
        let names = backends.keys.sorted()
        var found: [MigrationStatus] = []
        for from in names {
            for to in names where to != from {
                let path = MigrationStatus.path(beside: migrationCheckpoint(from: from, to: to))
                if let status = try? MigrationStatus.load(path) { found.append(status) }
            }
        }
        return found.sorted { $0.updated > $1.updated }
    }
}
