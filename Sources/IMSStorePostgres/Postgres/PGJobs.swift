import Foundation
import IMSModel
import IMSService
import NIOCore
import PostgresNIO

/// Jobs on PostgreSQL: any gateway's worker claims unleased jobs with `FOR UPDATE SKIP LOCKED`
/// (two claims never take the same job, and neither waits on the other's rows), and holds them
/// under a lease. A gateway killed mid-job stops renewing; when the lease lapses another claims
/// the job and works it from the beginning, and `finish` checks the lease holder, so a job
/// finishes exactly once. `enqueue` notifies the schema's channel on commit, which wakes the
/// workers of every gateway (`arrivals`).
extension PGStore: JobQueue {
    static let jobColumns = "jobId, action, status, zone, requestId, resourceIds, owner, info, createdAt, beganAt, finishedAt"

    public func enqueue(_ job: Job) async throws {
        try await db.write { connection in try await insertJob(job, connection) }
    }

    public func job(_ jobId: String) async throws -> Job? {
        guard PGSQL.storable(jobId) else { return nil }
        var sql = PGSQL()
        sql.append("SELECT \(Self.jobColumns) FROM job WHERE jobId = \(sql.bind(jobId))")
        return try await db.read { try await $0.row(sql, logger: logger) { try Self.job(&$0, withWork: false) } }
    }

    public func jobs(_ query: JobQuery, owner: String?) async throws -> JobPage {
        let ids = query.jobIds.filter(PGSQL.storable)
        let action = query.action.flatMap { PGSQL.storable($0) ? $0 : nil }
        // A filter PostgreSQL's text cannot even hold matches nothing.
        if (!query.jobIds.isEmpty && ids.isEmpty) || (query.action != nil && action == nil)
            || !(owner.map(PGSQL.storable) ?? true) { return JobPage(items: [], total: 0) }
        func matching(_ sql: inout PGSQL) -> String {
            var clauses: [String] = []
            if let owner { clauses.append("owner = \(sql.bind(owner))") }
            if !ids.isEmpty { clauses.append("jobId = ANY(\(sql.bind(ids))::text[])") }
            if !query.statuses.isEmpty { clauses.append("status = ANY(\(sql.bind(query.statuses.map(\.rawValue)))::text[])") }
            if let action { clauses.append("action = \(sql.bind(action))") }
            return clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        }
        var page = PGSQL()
        page.append("SELECT \(Self.jobColumns) FROM job" + matching(&page) + " ORDER BY createdAt DESC, seq DESC")
        page.append(" LIMIT \(page.bind(Int64(min(max(query.limit, 0), JobQuery.maxLimit))))")
        page.append(" OFFSET \(page.bind(Int64(max(query.offset, 0))))")
        var count = PGSQL()
        count.append("SELECT count(*) FROM job" + matching(&count))
        return try await db.read { connection in
            let items = try await connection.rows(page, logger: logger) { try Self.job(&$0, withWork: false) }
            let total = try await connection.row(count, logger: logger) { try $0.next(Int64.self) } ?? 0
            return JobPage(items: items, total: Int(total))
        }
    }

    public func claim(worker: String, limit: Int, now: Date, until: Date) async throws -> [Job] {
        var sql = PGSQL()
        let owner = sql.bind(worker), lease = sql.bind(until), at = sql.bind(now)
        sql.append("""
            UPDATE job SET leaseOwner = \(owner), leaseUntil = \(lease), attempts = attempts + 1
            WHERE jobId IN (SELECT jobId FROM job WHERE status IN ('pending', 'working')
                            AND (leaseUntil IS NULL OR leaseUntil < \(at))
                            ORDER BY createdAt, jobId LIMIT \(sql.bind(Int64(limit))) FOR UPDATE SKIP LOCKED)
            RETURNING \(Self.jobColumns), command
            """)
        let jobs = try await db.transaction { try await $0.rows(sql, logger: logger) { try Self.job(&$0, withWork: true) } }
        return jobs.sorted { ($0.createdAt, $0.jobId) < ($1.createdAt, $1.jobId) }
    }

    public func renew(_ jobId: String, worker: String, until: Date) async throws -> Bool {
        var sql = PGSQL()
        sql.append("""
            UPDATE job SET leaseUntil = \(sql.bind(until)) WHERE jobId = \(sql.bind(jobId)) AND leaseOwner = \(sql.bind(worker))
            AND status IN ('pending', 'working') RETURNING 1
            """)
        return try await db.read { try await $0.run(sql, logger: logger) } > 0
    }

    public func start(_ jobId: String, worker: String, at: Date) async throws -> Bool {
        var sql = PGSQL()
        sql.append("""
            UPDATE job SET status = 'working', beganAt = coalesce(beganAt, \(sql.bind(PGSQL.time(at))))
            WHERE jobId = \(sql.bind(jobId)) AND leaseOwner = \(sql.bind(worker)) AND status IN ('pending', 'working') RETURNING 1
            """)
        return try await db.read { try await $0.run(sql, logger: logger) } > 0
    }

    public func finish(_ jobId: String, worker: String, _ status: JobStatus, info: String, at: Date,
                       image: (imageId: String, change: ImageStateChange)?) async throws -> Bool {
        try await db.write { connection in
            var sql = PGSQL()
            let infoBind = sql.bind(info)
            sql.append("""
                UPDATE job SET status = \(sql.bind(status.rawValue)), finishedAt = \(sql.bind(PGSQL.time(at))),
                    info = CASE WHEN \(infoBind) <> '' THEN \(infoBind) ELSE info END, leaseOwner = NULL, leaseUntil = NULL
                WHERE jobId = \(sql.bind(jobId)) AND leaseOwner = \(sql.bind(worker)) AND status IN ('pending', 'working')
                RETURNING 1
                """)
            guard try await connection.run(sql, logger: logger) > 0 else { return false }
            if let image { _ = try await applyChange(image.imageId, image.change, connection) }
            return true
        }
    }

    public func release(worker: String) async throws {
        var sql = PGSQL()
        sql.append("UPDATE job SET leaseOwner = NULL, leaseUntil = NULL WHERE leaseOwner = \(sql.bind(worker))")
        try await db.read { try await $0.run(sql, logger: logger) }
    }

    public func arrivals() -> AsyncStream<Void>? { db.arrivals }

    func insertJob(_ job: Job, _ connection: PostgresConnection) async throws {
        var sql = PGSQL()
        var work: String?
        if let command = job.command {
            var text = ByteBuffer()
            try JSONValueEncoder().write(command, into: &text)
            work = String(buffer: text)
        }
        sql.append("""
            INSERT INTO job (\(Self.jobColumns), command) VALUES (\(sql.bind(job.jobId)), \(sql.bind(job.action)),
                \(sql.bind(job.status.rawValue)), \(sql.bind(job.zone)), \(sql.bind(job.requestId)), \(sql.bind(job.resources.jsonText)),
                \(sql.bind(job.owner)), \(sql.bind(job.info)), \(sql.bind(PGSQL.time(job.createdAt))),
                \(sql.bind(job.beganAt.map(PGSQL.time)))::timestamptz, \(sql.bind(job.finishedAt.map(PGSQL.time)))::timestamptz,
                \(sql.bind(work))::text)
            ON CONFLICT (jobId) DO NOTHING RETURNING 1
            """)
        guard try await connection.run(sql, logger: logger) > 0 else {
            throw CanonicalError.conflict(field: "jobId", message: "has already been taken")
        }
        var notify = PGSQL()
        notify.append("SELECT pg_notify(\(notify.bind(db.jobChannel)), '')")
        try await connection.run(notify, logger: logger)
    }

    static func job(_ c: inout PGColumns, withWork: Bool) throws -> Job {
        let jobId: String = try c.next(), action: String = try c.next(), status: JobStatus = try c.next()
        let zone: String = try c.next(), requestId: String = try c.next(), resources: String = try c.next()
        var job = Job(jobId: jobId, action: action, status: status, zone: zone, requestId: requestId, resourceIds: [],
                      owner: try c.next(), info: try c.next(), createdAt: try c.next(), beganAt: try c.next(Date?.self),
                      finishedAt: try c.next(Date?.self))
        guard let list = StringList(json: resources) else { throw CanonicalError.internal("a job has a malformed resourceIds column") }
        job.resources = list
        if withWork, let text = try c.next(String?.self) {
            job.command = try JSONValueDecoder().decode(JobWork.self, from: text.utf8)
        }
        return job
    }
}
