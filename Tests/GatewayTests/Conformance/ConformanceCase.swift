import Foundation
import GatewayHTTP

/// One row of SPEC.md's endpoint tables, exercised with its seed's example request and judged
/// against its example answer. `knownGap` marks a strict expected failure: the matrix fails
/// when such a case starts passing, so the list of gaps cannot go stale.
struct ConformanceCase: Sendable {
    var dialect: String
    /// The row as SPEC.md writes it: method, then the path cell without backticks.
    var row: String
    var seed: String
    var knownGap: String?
    var run: @Sendable (ConformanceContext) async throws -> [String]

    init(_ dialect: String, _ row: String, seed: String, knownGap: String? = nil,
         _ run: @escaping @Sendable (ConformanceContext) async throws -> [String]) {
        self.dialect = dialect
        self.row = row
        self.seed = seed
        self.knownGap = knownGap
        self.run = run
    }
}

struct ConformanceContext: Sendable {
    var client: GatewayClient
    var seeds: [String: [String: SeedCase]]
    /// A loopback HTTP origin serving `/images/good.qcow2` (for imports).
    var originPort: Int

    func seed(_ dialect: String, _ name: String) throws -> SeedCase {
        guard let seed = seeds[dialect]?[name] else { throw SeedError.bad("\(dialect)/\(name)") }
        return seed
    }

    /// Sends the seed's request (at `path` if given) and lists what differs from its answer.
    func check(_ dialect: String, _ name: String, at path: String? = nil, body: GatewayClient.Body? = nil,
               equal: [String] = []) async throws -> (reply: Reply, problems: [String]) {
        var seed = try seed(dialect, name)
        if let path { seed = seed.at(path) }
        if let body { seed.body = body }
        let reply = try await seed.send(client)
        return (reply, conformanceProblems(reply, to: seed, equal: equal))
    }
}

/// The rows of SPEC.md's endpoint tables, by dialect.
enum SpecRows {
    static func load() throws -> [(dialect: String, row: String)] {
        let text = try String(contentsOf: TestGateway.repoRoot.appendingPathComponent("Tests/GatewayTests/Fixtures/SPEC.md"),
                              encoding: .utf8)
        var dialect = ""
        var rows: [(String, String)] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("### ") { dialect = String(line.dropFirst(4).split(separator: " ").first ?? "") }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 3, ["GET", "POST", "PUT", "DELETE"].contains(cells[1]) else { continue }
            rows.append((dialect, "\(cells[1]) \(cells[2].replacingOccurrences(of: "`", with: ""))"))
        }
        return rows
    }
}
