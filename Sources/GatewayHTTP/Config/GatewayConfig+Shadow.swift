import Foundation
import IMSService
import IMSStoreSQLite

extension GatewayConfig {
    /// Where the shadow `name` keeps its findings (with no name: the config's only shadow).
    public func shadowRecord(named name: String?) throws -> String {
        let shadows = backends.filter { $0.value.kind == .shadow }
        let chosen: (key: String, value: BackendEntry)? = if let name { shadows.first { $0.key == name } } else if shadows.count == 1 { shadows.first } else { nil }
        guard let chosen else {
            let known = shadows.keys.sorted().joined(separator: ", ")
            throw GatewayStartError(name.map { "no shadow backend named '\($0)' (shadows: \(known.isEmpty ? "none" : known))" }
                ?? "say which shadow with --backend (shadows: \(known.isEmpty ? "none" : known))")
        }
        return resolve(chosen.value.record ?? chosen.value.defaultRecord(chosen.key))
    }

    /// What the shadow `name` found since `since`, read from its record file.
    public func shadowReport(named name: String?, since: Date) throws -> ShadowReport {
        let record = try shadowRecord(named: name)
        guard FileManager.default.fileExists(atPath: record) else {
            throw GatewayStartError("no findings yet: \(record) does not exist (the shadow writes it once it has compared a command)")
        }
        return try SQLiteShadowLog(path: record).report(since: since)
    }
}
