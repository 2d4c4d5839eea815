import ArgumentParser
import Foundation
import GatewayHTTP
import IMSModel
import IMSService

struct ShadowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shadow", abstract: "Read what a shadow backend found.", subcommands: [Report.self])

    /// What the secondary answered and stored differently from the primary, from the shadow's
    /// record file, while the gateway runs or after.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts by operation (compared, mismatched, rate, dropped, secondary errors), the field paths that differ most, and examples with both values.")

        @Option(name: .long, help: "Deployment config (default: Config/ims-gateway.yaml).") var config: String?
        @Option(name: .long, help: "Which shadow entry of backends: (default: the only one).") var backend: String?
        @Option(name: .long, help: "How far back: 30m, 6h, 7d (default: 24h).") var since: String = "24h"
        @Flag(name: .long, help: "One JSON document, for scripts.") var json = false

        func run() throws {
            let path = try config ?? ConfigOptions.defaultConfigPath()
            let loaded = try GatewayConfig.load(path: path)
            guard let window = Self.seconds(since) else { throw ValidationError("--since takes a number and s, m, h or d: 30m, 6h, 7d") }
            let report = try loaded.shadowReport(named: backend, since: Date().addingTimeInterval(-window))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.text)
            }
        }

        static func seconds(_ text: String) -> Double? {
            guard let unit = text.last, let n = Double(text.dropLast()), n >= 0 else { return nil }
            switch unit {
            case "s": return n
            case "m": return n * 60
            case "h": return n * 3600
            case "d": return n * 86_400
            default: return nil
            }
        }
    }
}
