import Foundation
import IMSService

/// Each migration's progress from the status `ims-gateway migrate` writes beside its checkpoint
/// (`MigrationStatus`): by kind, with rate and time left, then what the verification found.
struct MigrationPage: Sendable {
    struct Kind: Sendable {
        var kind: String
        var scanned: Int
        var total: Int
        var copied: Int
        var percent: String
        var barWidth: Int
        var mib: String
        var rate: String
        var eta: String
    }

    struct Check: Sendable {
        var kind: String
        var source: Int
        var target: Int
        var holds: Bool
        var missing: String
        var differing: String
    }

    struct Migration: Sendable {
        var from: String
        var to: String
        var state: String
        var stateClass: String
        var started: String
        var updated: String
        var pid: Int32
        var error: String?
        var kinds: [Kind]
        var verification: [Check]
        var hasVerification: Bool
    }

    var title: String
    var nav: [ConsolePage.Link]
    var generated: String
    var migrations: [Migration]
    var hasMigrations: Bool

    /// Reads the status files: call it off the event loops.
    init(config: GatewayConfig) {
        let page = ConsolePage("/console/migration")
        (title, nav, generated) = (page.title, page.nav, page.generated)
        migrations = config.migrationStatuses().map(Self.migration)
        hasMigrations = !migrations.isEmpty
    }

    static func migration(_ s: MigrationStatus) -> Migration {
        var state = s.state.rawValue
        // A status left in a running state by a process that is gone was killed: the next run
        // resumes from the checkpoint.
        let running = s.state == .copying || s.state == .verifying
        if running, kill(s.pid, 0) != 0, errno == ESRCH { state += " (stopped: process \(s.pid) is gone; run it again to resume)" }
        let kinds = s.kinds.map { k in
            let fraction = k.total == 0 ? 1 : min(1, Double(k.scanned) / Double(k.total))
            return Kind(kind: k.kind, scanned: k.scanned, total: k.total, copied: k.copied,
                        percent: String(format: "%.0f%%", fraction * 100), barWidth: Int(fraction * 200),
                        mib: k.totalBytes > 0 ? String(format: "%.1f / %.1f", Double(k.bytes) / 1_048_576, Double(k.totalBytes) / 1_048_576) : "",
                        rate: k.itemsPerSecond > 0 ? String(format: "%.1f/s", k.itemsPerSecond) : "–",
                        eta: k.secondsLeft.map { $0 == 0 ? "done" : String(format: "%.0f s", $0) } ?? "–")
        }
        let checks = s.verification.map {
            Check(kind: $0.kind, source: $0.source, target: $0.target, holds: $0.holds,
                  missing: $0.missing.joined(separator: ", "), differing: $0.differing.joined(separator: ", "))
        }
        return Migration(from: s.from, to: s.to, state: state,
                         stateClass: s.state == .verified ? "ok" : s.state == .differs || s.state == .failed ? "bad" : "",
                         started: ConsolePage.time(s.started), updated: ConsolePage.time(s.updated), pid: s.pid, error: s.error,
                         kinds: kinds, verification: checks, hasVerification: !checks.isEmpty)
    }
}
