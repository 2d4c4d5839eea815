import Foundation
import GatewayHTTP
import Hummingbird
import HummingbirdTesting
import Testing

/// Dialect × endpoint conformance against the seeds, written to docs/CONFORMANCE.md.
///
/// `scripts/conformance` regenerates the document; otherwise the test fails when the committed
/// document differs from what it measured, so the matrix can never go stale.
@Suite struct ConformanceTests {
    enum Outcome: String { case pass, xfail, fail = "FAIL", xpass = "XPASS" }

    static let lanes = TestGateway.Lane.allCases.map(\.rawValue)
    /// The PostgreSQL lanes need a server (`IMS_PG_URL`; scripts/test starts one), the glance
    /// lane a Glance as well (`IMS_GLANCE_URL`; scripts/glance): without them they are not run,
    /// and only the other lanes' columns are compared with the document.
    static let runnable = lanes.filter { lane in
        let environment = ProcessInfo.processInfo.environment
        return switch TestGateway.Lane(rawValue: lane) {
        case .bundled?, .remote?: true
        case .glance?: environment["IMS_PG_URL"] != nil && environment["IMS_GLANCE_URL"] != nil
        default: environment["IMS_PG_URL"] != nil
        }
    }

    @Test func everySpecRowHasACase() throws {
        let rows = try SpecRows.load()
        let covered = Set(ConformanceCase.all.map { "\($0.dialect) \($0.row)" })
        let missing = rows.filter { !covered.contains("\($0.dialect) \($0.row)") }
        #expect(rows.count >= 43)
        #expect(missing.isEmpty, "SPEC rows without a conformance case: \(missing.map { "\($0.dialect) \($0.row)" })")
        // Rows beyond the seeds (SPEC.md's prose names them; their issue gives the answers).
        let beyond = Set(ConformanceCase.all.filter { $0.seed.hasPrefix("issue ") }.map { "\($0.dialect) \($0.row)" })
        let unknown = covered.subtracting(rows.map { "\($0.dialect) \($0.row)" }).subtracting(beyond)
        #expect(unknown.isEmpty, "cases for rows SPEC.md does not have: \(unknown.sorted())")
    }

    @Test func matrix() async throws {
        let seeds = try Dictionary(uniqueKeysWithValues: ["htaiyun", "idc51", "foreman", "cecstack"].map { ($0, try SeedCase.load($0)) })
        let origin = Router()
        origin.get("/images/good.qcow2") { _, _ in "imported image bytes" }
        let results = try await Application(router: origin).test(.live) { originClient in
            let port = originClient.port ?? 0
            var results: [(ConformanceCase, [String: (Outcome, String)])] = []
            for c in ConformanceCase.all {
                var byLane: [String: (Outcome, String)] = [:]
                for lane in Self.runnable {
                    let problems = await Self.run(c, lane: lane, seeds: seeds, originPort: port)
                    let outcome: Outcome = switch (problems.isEmpty, c.knownGap != nil) {
                    case (true, false): .pass
                    case (false, true): .xfail
                    case (false, false): .fail
                    case (true, true): .xpass
                    }
                    byLane[lane] = (outcome, problems.joined(separator: "; "))
                }
                results.append((c, byLane))
            }
            return results
        }
        for (c, byLane) in results {
            for (lane, (outcome, detail)) in byLane {
                if outcome == .fail { Issue.record("\(lane) \(c.dialect) \(c.row) (\(c.seed)): \(detail)") }
                if outcome == .xpass { Issue.record("\(lane) \(c.dialect) \(c.row) now passes: remove its knownGap") }
            }
        }
        let document = Self.document(results)
        print(document)
        let path = TestGateway.repoRoot.appendingPathComponent("docs/CONFORMANCE.md").path
        if ProcessInfo.processInfo.environment["CONFORMANCE_WRITE"] == "1" {
            try FileManager.default.createDirectory(atPath: TestGateway.repoRoot.appendingPathComponent("docs").path,
                                                    withIntermediateDirectories: true)
            try document.write(toFile: path, atomically: true, encoding: .utf8)
        } else {
            let committed = try? String(contentsOfFile: path, encoding: .utf8)
            #expect(committed.map(Self.runnableColumns) == Self.runnableColumns(document),
                    "docs/CONFORMANCE.md differs from this run: regenerate it with scripts/conformance")
        }
    }

    static func run(_ c: ConformanceCase, lane: String, seeds: [String: [String: SeedCase]], originPort: Int) async -> [String] {
        do {
            var gateway = try TestGateway()
            defer { gateway.remove() }
            gateway.config.imports.allowedHosts = ["127.0.0.1:\(originPort)"]
            return try await gateway.run(lane: TestGateway.Lane(rawValue: lane) ?? .bundled) { client in
                try await c.run(ConformanceContext(client: client, seeds: seeds, originPort: originPort))
            }
        } catch {
            return ["threw \(error)"]
        }
    }

    /// The document's table with only the lanes this run ran (all of it when it ran every lane).
    static func runnableColumns(_ document: String) -> String {
        guard runnable.count < lanes.count else { return document }
        let keep = Set([0, 1, 2] + lanes.indices.filter { runnable.contains(lanes[$0]) }.map { $0 + 3 })
        return document.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            if line.hasSuffix("endpoints pass on every lane.") { return nil }
            guard line.hasPrefix("|") else { return String(line) }
            let cells = line.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
            return cells.indices.filter(keep.contains).map { String(cells[$0]) }.joined(separator: "|")
        }.joined(separator: "\n")
    }

    static func document(_ results: [(ConformanceCase, [String: (Outcome, String)])]) -> String {
        var lines = [
            "# Conformance",
            "",
            "Every endpoint row of `SPEC.md`, sent as its seed's example request and compared with the seed's example",
            "answer (status, every key, and the values the request decides; ids and times masked), on each backend lane:",
            "`bundled` (SQLite in the gateway), `remote` (a gateway in remote mode in front of a bundled one, over",
            "real sockets on loopback), `postgres` (the gateway on PostgreSQL), `2 gateways` (two gateways on one",
            "PostgreSQL schema and files directory, the case's requests alternating between them) and `glance` (images",
            "and their bytes in OpenStack Glance, `scripts/glance`, the rest and the index in PostgreSQL).",
            "Generated by `scripts/conformance` from `Tests/GatewayTests/Conformance`; `swift test` fails when this file",
            "and the suite disagree. `xfail` is a known gap; it fails the suite the day it starts passing.",
            "Rows whose seed example is an issue are SPEC.md's \"beyond the seeds\" endpoints, checked against the answers",
            "that issue gives (what the real server answers its clients).",
            "",
            "| dialect | endpoint | seed example | " + lanes.joined(separator: " | ") + " |",
            "|---|---|---|" + lanes.map { _ in "---|" }.joined(),
        ]
        for (c, byLane) in results {
            let cells = lanes.map { lane -> String in
                guard let (outcome, _) = byLane[lane] else { return "" }
                return outcome == .xfail ? "xfail: \(c.knownGap ?? "")" : outcome.rawValue
            }
            lines.append("| \(c.dialect) | `\(c.row)` | \(c.seed) | " + cells.joined(separator: " | ") + " |")
        }
        let passed = results.filter { $0.1.values.allSatisfy { $0.0 == .pass } }.count
        lines += ["", "\(passed) of \(results.count) endpoints pass on every lane.", ""]
        return lines.joined(separator: "\n")
    }
}
