import Foundation
@testable import IMSModel
import Testing

/// `listJobs` over the canonical wire (and so through the remote backend on that lane): a
/// caller sees its own tenant's jobs, newest first, a page at a time, optionally by id.
@Suite struct JobListTests {
    static let tenantA = Identity(user: "ua", tenant: "a")
    static let tenantB = Identity(user: "ub", tenant: "b")
    static let operatorIdentity = Identity(user: "1", tenant: "default", isOperator: true)

    static func run(_ client: GatewayClient, _ command: Command, as identity: Identity) async throws -> CommandResult {
        let reply = try await CanonicalAPITests.execute(client, try CanonicalAPITests.wire(command), as: identity,
                                                        headers: ["Idempotency-Key": UUID().uuidString])
        #expect(reply.status == 200, "\(reply.text)")
        return try JSONValueDecoder().decode(CommandResult.self, from: try #require(reply["result"]))
    }

    static func capture(_ client: GatewayClient, _ name: String, as identity: Identity) async throws -> String {
        let spec = JobSpec(action: "CaptureInstance", zone: "ac1", requestId: UUID().uuidString)
        guard case .job(let job) = try await run(client, .asJob(spec, .captureImage(instance: "i-\(name)", patch: [.name: .string(name)])),
                                                 as: identity)
        else { Issue.record("a capture answers its job"); return "" }
        return job.jobId
    }

    static func list(_ client: GatewayClient, _ query: JobQuery, as identity: Identity) async throws -> JobPage {
        guard case .jobs(let page) = try await run(client, .listJobs(query), as: identity) else {
            Issue.record("listJobs answers jobs")
            return JobPage(items: [], total: -1)
        }
        return page
    }

    @Test func theCallersJobsNewestFirstAPageAtATime() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            var mine: [String] = []
            for name in ["first", "second", "third"] { mine.append(try await Self.capture(client, name, as: Self.tenantA)) }
            let theirs = try await Self.capture(client, "other", as: Self.tenantB)

            let all = try await Self.list(client, JobQuery(), as: Self.tenantA)
            #expect(all.items.map(\.jobId) == mine.reversed() && all.total == 3)
            #expect(all.items.allSatisfy { $0.owner == "a" && $0.action == "CaptureInstance" })

            let page = try await Self.list(client, JobQuery(offset: 1, limit: 1), as: Self.tenantA)
            #expect(page.items.map(\.jobId) == [mine[1]] && page.total == 3)
            let past = try await Self.list(client, JobQuery(offset: 3, limit: 10), as: Self.tenantA)
            #expect(past.items.isEmpty && past.total == 3)

            // By id: another tenant's job is not listed, as an unknown one is not.
            let byId = try await Self.list(client, JobQuery(jobIds: [mine[0], theirs, "j-zzzzzzzz"]), as: Self.tenantA)
            #expect(byId.items.map(\.jobId) == [mine[0]] && byId.total == 1)

            let everyone = try await Self.list(client, JobQuery(), as: Self.operatorIdentity)
            #expect(everyone.items.map(\.jobId) == [theirs] + mine.reversed() && everyone.total == 4)
        }
    }

    @Test func filtersByStateAndActionAndBoundsThePage() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let job = try await Self.capture(client, "one", as: Self.tenantA)
            #expect(try await client.finishedJob(job)["status"] == "successful")
            let successful = try await Self.list(client, JobQuery(statuses: [.successful]), as: Self.tenantA)
            #expect(successful.items.map(\.jobId) == [job])
            let pending = try await Self.list(client, JobQuery(statuses: [.pending, .working]), as: Self.tenantA)
            #expect(pending.items.isEmpty && pending.total == 0)
            let deletes = try await Self.list(client, JobQuery(action: "DeleteImages"), as: Self.tenantA)
            #expect(deletes.total == 0)
            let huge = try await Self.list(client, JobQuery(limit: 1_000_000), as: Self.tenantA)
            #expect(huge.items.count == 1)
        }
    }
}
