import Foundation
import GRDB

/// Jobs: recorded with the change they stand for, worked off by `JobRunner`.
enum JobStore {
    /// Checks the command now (running it in a savepoint that is rolled back, or by its own
    /// check where it has one), then records a pending job that will run it. A capture makes
    /// its image at once, in `saving` state.
    static func submit(_ spec: JobSpec, _ inner: Command, backend: BundledBackend, as identity: Identity, now: Date,
                       in db: Database) throws -> Job {
        let deferred: JobWork
        let resourceIds: [String]
        if case .asJob = inner {
            throw CanonicalError.invalidParameter(field: "command", message: "cannot be a job inside a job")
        } else if case .captureImage = inner {
            let made = try backend.run(inner, as: identity, in: db)
            resourceIds = made.resourceIds
            deferred = .finishCapture(imageId: resourceIds.first ?? "")
        } else if case .batchDeleteImages(let refs) = inner {
            // Checked without deleting: a 10,000-image batch is not deleted twice.
            resourceIds = try ImageStore.batchDeleteTargets(refs, as: identity, in: db).map(\.imageId)
            deferred = .command(inner)
        } else {
            var checked: CommandResult?
            try db.inSavepoint {
                checked = try backend.run(inner, as: identity, in: db)
                return .rollback
            }
            resourceIds = checked?.resourceIds ?? []
            deferred = .command(inner)
        }
        return try enqueue(action: spec.action, zone: spec.zone, requestId: spec.requestId, resourceIds: resourceIds,
                           command: deferred, as: identity, now: now, in: db)
    }

    @discardableResult
    static func enqueue(action: String, zone: String = "", requestId: String = "", resourceIds: [String], command: JobWork,
                        as identity: Identity, now: Date, in db: Database) throws -> Job {
        let job = Job(jobId: "j-" + RandomID.make(length: 8), action: action, status: .pending, zone: zone,
                      requestId: requestId.isEmpty ? RequestIDs.make() : requestId, resourceIds: resourceIds,
                      owner: identity.tenant, createdAt: now, command: command)
        try job.insert(db)
        return job
    }

    /// The caller's jobs (every tenant's for an operator), newest first, one page and the count.
    static func list(_ query: JobQuery, as identity: Identity, in db: Database) throws -> JobPage {
        var jobs = Job.all()
        if !identity.isOperator { jobs = jobs.filter(Column("owner") == identity.tenant) }
        if !query.jobIds.isEmpty { jobs = jobs.filter(query.jobIds.contains(Column("jobId"))) }
        if !query.statuses.isEmpty { jobs = jobs.filter(query.statuses.map(\.rawValue).contains(Column("status"))) }
        if let action = query.action { jobs = jobs.filter(Column("action") == action) }
        let limit = min(max(query.limit, 0), JobQuery.maxLimit)
        let items = try jobs.order(Column("createdAt").desc, Column.rowID.desc)
            .limit(limit, offset: max(query.offset, 0)).fetchAll(db)
        return JobPage(items: items, total: try jobs.fetchCount(db))
    }

    /// Jobs not finished, oldest first (a restart resumes those it was working on).
    static func runnable(limit: Int, in db: Database) throws -> [Job] {
        try Job.select(Job.databaseSelection + [Column("command")])
            .filter([JobStatus.pending, .working].contains(Column("status")))
            .order(Column("createdAt"), Column("jobId")).limit(limit).fetchAll(db)
    }

    /// Moves a job to `status`, touching only the columns that change: a batch delete's job
    /// carries 10,000 ids twice (its command and its resources), and reading and rewriting the
    /// whole record to change its status cost more than the deletion.
    static func mark(_ jobId: String, _ status: JobStatus, info: String = "", now: Date, in db: Database) throws {
        var assignments = [Column("status").set(to: status.rawValue)]
        if status == .working { assignments.append(Column("beganAt").set(to: Column("beganAt") ?? now)) }
        if status == .successful || status == .failed { assignments.append(Column("finishedAt").set(to: now)) }
        if !info.isEmpty { assignments.append(Column("info").set(to: info)) }
        try Job.filter(key: jobId).updateAll(db, assignments)
    }
}
