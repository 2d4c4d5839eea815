import Foundation
import GRDB
import IMSModel
import IMSService

/// Jobs in the SQLite store. Only one process opens the file, so claiming is one UPDATE in the
/// single writer's transaction.
extension SQLiteStore: JobQueue {
    public func enqueue(_ job: Job) async throws {
        try await write { db in
            if try Job.exists(db, key: job.jobId) { throw CanonicalError.conflict(field: "jobId", message: "has already been taken") }
            try job.insert(db)
        }
    }

    public func job(_ jobId: String) async throws -> Job? {
        guard !jobId.holdsNUL else { return nil }
        // Every column but the work (`Job.databaseSelection`): clients poll it while it runs.
        return try await inline { db in try Job.fetchOne(db, key: jobId) }
    }

    public func jobs(_ query: JobQuery, owner: String?) async throws -> JobPage {
        // A filter holding NUL matches nothing (an id list: only its other ids).
        let ids = query.jobIds.filter { !$0.holdsNUL }
        if (!query.jobIds.isEmpty && ids.isEmpty) || query.action?.holdsNUL == true || owner?.holdsNUL == true {
            return JobPage(items: [], total: 0)
        }
        var filtered = query
        filtered.jobIds = ids
        let query = filtered
        return try await read { db in
            var jobs = Job.all()
            if let owner { jobs = jobs.filter(Column("owner") == owner) }
            if !query.jobIds.isEmpty { jobs = jobs.filter(query.jobIds.contains(Column("jobId"))) }
            if !query.statuses.isEmpty { jobs = jobs.filter(query.statuses.map(\.rawValue).contains(Column("status"))) }
            if let action = query.action { jobs = jobs.filter(Column("action") == action) }
            let limit = min(max(query.limit, 0), JobQuery.maxLimit)
            let items = try jobs.order(Column("createdAt").desc, Column.rowID.desc)
                .limit(limit, offset: max(query.offset, 0)).fetchAll(db)
            return JobPage(items: items, total: try jobs.fetchCount(db))
        }
    }

    public func claim(worker: String, limit: Int, now: Date, until: Date) async throws -> [Job] {
        try await pool.write { db in
            let jobs = try Job.select(Job.databaseSelection + [Column("command")])
                .filter([JobStatus.pending, .working].contains(Column("status")))
                .filter(Column("leaseUntil") == nil || Column("leaseUntil") < now)
                .order(Column("createdAt"), Column("jobId")).limit(limit).fetchAll(db)
            for job in jobs {
                try Job.filter(key: job.jobId).updateAll(db, Column("leaseOwner").set(to: worker), Column("leaseUntil").set(to: until))
            }
            return jobs
        }
    }

    public func renew(_ jobId: String, worker: String, until: Date) async throws -> Bool {
        try await pool.write { db in
            try Self.held(jobId, by: worker).updateAll(db, Column("leaseUntil").set(to: until)) > 0
        }
    }

    public func start(_ jobId: String, worker: String, at: Date) async throws -> Bool {
        try await pool.write { db in
            try Self.held(jobId, by: worker).updateAll(db, Column("status").set(to: JobStatus.working.rawValue),
                                                        Column("beganAt").set(to: Column("beganAt") ?? at)) > 0
        }
    }

    /// Touches only the columns that change: a batch delete's job carries 10,000 ids twice (its
    /// work and its resources), and reading and rewriting the whole record cost more than the deletion.
    public func finish(_ jobId: String, worker: String, _ status: JobStatus, info: String, at: Date,
                       image: (imageId: String, change: ImageStateChange)?) async throws -> Bool {
        try await pool.write { db in
            var assignments = [Column("status").set(to: status.rawValue), Column("finishedAt").set(to: at),
                               Column("leaseOwner").set(to: nil), Column("leaseUntil").set(to: nil)]
            if !info.isEmpty { assignments.append(Column("info").set(to: info)) }
            guard try Self.held(jobId, by: worker).updateAll(db, assignments) > 0 else { return false }
            if let image { _ = try SQLiteImages.change(image.imageId, image.change, in: db) }
            return true
        }
    }

    public func release(worker: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE job SET leaseOwner = NULL, leaseUntil = NULL WHERE leaseOwner = ?", arguments: [worker])
        }
    }

    /// Only this process enqueues: the service wakes its worker itself.
    public func arrivals() -> AsyncStream<Void>? { nil }

    static func held(_ jobId: String, by worker: String) -> QueryInterfaceRequest<Job> {
        Job.filter(key: jobId).filter(Column("leaseOwner") == worker)
    }
}
