import Foundation
import IMSModel

/// Jobs: recorded with the work still to do, claimed by any gateway's worker under a lease.
/// A lease is the pair (`worker`, `until`) stored with the job (SQLite: the `leaseOwner` and
/// `leaseUntil` columns of migration v10); a job whose lease has lapsed (a gateway killed
/// mid-job) is claimed again by another worker and worked from the beginning.
public protocol JobQueue: Sendable {
    /// Records a new job with its work (`job.command`). A `jobId` already taken:
    /// `.conflict(field: "jobId", message: "has already been taken")` (the service mints another).
    func enqueue(_ job: Job) async throws

    /// The job `jobId` names, without its work (`command` nil), if any. Polled by clients while
    /// the job runs: must stay a cheap read by key that does not decode the work.
    func job(_ jobId: String) async throws -> Job?

    /// A page of jobs (without their work): `owner`'s only when set (nil: every tenant's), only
    /// `query.jobIds` when not empty (exact), only `query.statuses` when not empty, only
    /// `query.action` when set (exact). Newest first: `createdAt` descending, then the later
    /// inserted first (SQLite: rowid; PostgreSQL needs an insertion sequence column). The window
    /// is `query.offset` (negative: 0) and `query.limit` clamped to 0...`JobQuery.maxLimit`;
    /// `total` counts every match.
    func jobs(_ query: JobQuery, owner: String?) async throws -> JobPage

    /// Atomically takes a lease on up to `limit` unfinished jobs (status `pending` or `working`)
    /// that no live lease holds (none, or `until` before `now`), oldest first (`createdAt`,
    /// then `jobId`), and answers them with their work. Status is unchanged. Two workers
    /// claiming together never get the same job (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
    func claim(worker: String, limit: Int, now: Date, until: Date) async throws -> [Job]

    /// Extends `worker`'s lease on a job it still holds; false if it no longer does (lapsed and
    /// claimed by another, or finished).
    func renew(_ jobId: String, worker: String, until: Date) async throws -> Bool

    /// Marks a held job `working`, setting `beganAt = at` unless already set. False if
    /// `worker` no longer holds it.
    func start(_ jobId: String, worker: String, at: Date) async throws -> Bool

    /// Finishes a held job: status (`successful` or `failed`), `finishedAt = at`, `info` when
    /// not empty, the lease cleared, and, in the same transaction, `image`'s state change when
    /// given (a job's outcome and the image it made commit together). False, changing nothing,
    /// if `worker` no longer holds the job: a job finishes exactly once.
    func finish(_ jobId: String, worker: String, _ status: JobStatus, info: String, at: Date,
                image: (imageId: String, change: ImageStateChange)?) async throws -> Bool

    /// Gives up every lease `worker` holds (graceful shutdown: the jobs go to the next claim at once).
    func release(worker: String) async throws

    /// Wakes this process's worker when another gateway enqueues a job (PostgreSQL:
    /// LISTEN/NOTIFY); nil when only this process enqueues (SQLite), whose worker the service wakes.
    func arrivals() -> AsyncStream<Void>?
}
