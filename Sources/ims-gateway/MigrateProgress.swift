import Foundation
import GatewayHTTP
import IMSModel
import IMSService
import NIOConcurrencyHelpers

/// What `migrate` shows while it runs: on a terminal a bar per kind with items and bytes, rate
/// and time left; otherwise one JSON line a second (and one per kind when it ends), for logs.
final class MigrateProgress: Sendable {
    let jsonLines: Bool
    private struct State {
        var started = ContinuousClock.now
        var kind: String?
        var kindStarted = ContinuousClock.now
        var firstScanned = 0
        var firstBytes: Int64 = 0
        var lastLine = ContinuousClock.now - .seconds(2)
    }

    private let state = NIOLockedValueBox(State())

    init(jsonLines: Bool) { self.jsonLines = jsonLines }

    func show(_ p: Migration.Progress) {
        state.withLockedValue { s in
            let now = ContinuousClock.now
            let name = (p.catchUp ? "catch-up " : "") + p.kind.rawValue
            if s.kind != name {
                if s.kind != nil, !jsonLines { FileHandle.standardError.write(Data("\n".utf8)) }
                s.kind = name
                s.kindStarted = now
                s.firstScanned = p.scanned
                s.firstBytes = p.bytes
            }
            let seconds = max(0.001, (now - s.kindStarted).timeInterval)
            let rate = Double(p.scanned - s.firstScanned) / seconds
            let byteRate = Double(p.bytes - s.firstBytes) / seconds
            let done = p.scanned >= p.total
            if jsonLines {
                guard done || now - s.lastLine >= .seconds(1) else { return }
                s.lastLine = now
                let line: [String: Any] = ["kind": name, "scanned": p.scanned, "total": p.total, "copied": p.copied,
                                           "bytes": p.bytes, "total_bytes": p.totalBytes,
                                           "items_per_second": (rate * 10).rounded() / 10,
                                           "mib_per_second": (byteRate / 1_048_576 * 100).rounded() / 100]
                print(Self.json(line))
            } else {
                let fraction = p.total == 0 ? 1 : min(1, Double(p.scanned) / Double(p.total))
                let width = 30
                let filled = Int(fraction * Double(width))
                let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
                let left = rate > 0 ? Double(p.total - p.scanned) / rate : 0
                var text = "\r\(name.padding(toLength: 21, withPad: " ", startingAt: 0)) [\(bar)] \(p.scanned)/\(p.total)  \(Int(rate))/s"
                if p.totalBytes > 0 {
                    text += String(format: "  %.1f/%.1f MiB  %.1f MiB/s", Double(p.bytes) / 1_048_576, Double(p.totalBytes) / 1_048_576, byteRate / 1_048_576)
                }
                text += String(format: "  ETA %ds   ", Int(left.rounded()))
                FileHandle.standardError.write(Data(text.utf8))
            }
        }
    }

    func finish() {
        if !jsonLines { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    func summary(_ checkpoint: MigrationCheckpoint, checks: [Migration.Check], dryRun: Bool) {
        let elapsed = state.withLockedValue { ContinuousClock.now - $0.started }
        let seconds = elapsed.timeInterval
        for kind in Migration.Kind.allCases {
            var place = checkpoint.kinds[kind.rawValue] ?? MigrationCheckpoint.Place()
            if let caughtUp = checkpoint.kinds["catch-up " + kind.rawValue] {
                place.copied += caughtUp.copied
                place.bytes += caughtUp.bytes
            }
            let check = checks.first { $0.kind == kind }
            if jsonLines {
                var line: [String: Any] = ["result": kind.rawValue, (dryRun ? "would_copy" : "copied"): place.copied,
                                           "already_there": place.skipped, "bytes": place.bytes]
                if let check {
                    line["source"] = check.source
                    line["target"] = check.target
                    line["missing"] = Array(check.missing.prefix(20))
                    line["differing"] = Array(check.differing.prefix(20))
                    line["verified"] = check.holds
                }
                print(Self.json(line))
            } else {
                var text = "\(kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(dryRun ? "would copy" : "copied") \(place.copied), already there \(place.skipped)"
                if place.bytes > 0 { text += String(format: ", %.1f MiB", Double(place.bytes) / 1_048_576) }
                if let check {
                    text += check.holds ? "; verified: \(check.source) = \(check.target)"
                        : "; DIFFERS: source \(check.source), target \(check.target), missing \(check.missing.prefix(5)), differing \(check.differing.prefix(5))"
                }
                print(text)
            }
        }
        if !jsonLines { print(String(format: "%.1f s", seconds)) } else { print(Self.json(["seconds": (seconds * 10).rounded() / 10])) }
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
