import CoreMetrics
import Foundation
import IMSService
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// `sync_interval_seconds`: `GlanceSync` inside `serve`, every interval, by one gateway of a
/// deployment at a time. Before each sync the gateway takes the lease `name` in its index
/// (`Leases`: a row in PostgreSQL that every gateway on it sees; on SQLite, one process); a
/// gateway that cannot take it skips that round. The lease lasts two intervals (at least
/// `minimumLease`) and is renewed while a sync runs, and its holder renews it each round, so
/// the deployment syncs once per interval, and a holder that dies is replaced within one lease.
/// A holder that finds its lease taken (it was starved past the lease) abandons its sync.
///
/// A failed sync is logged with why and tried again next interval: it never stops the server.
/// Shutdown (graceful or cancelled) ends the loop, a sync under way included, and gives up the
/// lease so another gateway takes over at once.
public final class GlanceSyncSchedule: Service, Sendable {
    /// What this gateway's rounds did, since it started.
    public struct Counts: Sendable, Equatable {
        /// Rounds that took the lease and synced.
        public var synced = 0
        /// Rounds another gateway held the lease in.
        public var skipped = 0
        /// Rounds whose lease or sync failed.
        public var failed = 0
    }

    let name: String
    let interval: Duration
    let leases: any Leases
    /// This gateway's name as a lease holder: unique per running schedule.
    let holder: String
    let sync: @Sendable () async throws -> GlanceSyncReport
    let logger: Logger
    private let counted = NIOLockedValueBox(Counts())
    private let metrics: (any MetricsFactory)?

    public init(name: String, interval: Duration, leases: any Leases, metrics: (any MetricsFactory)? = nil,
                sync: @escaping @Sendable () async throws -> GlanceSyncReport) {
        self.name = name
        self.interval = interval
        self.leases = leases
        self.metrics = metrics
        self.sync = sync
        holder = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(RandomID.make(length: 8))"
        logger = Logger(label: "ims-gateway.glance.sync")
    }

    public var counts: Counts { counted.withLockedValue { $0 } }

    /// A lease this short would lapse under a holder that is merely slow (a loaded machine
    /// delaying its renewal), letting a second sync start beside the first.
    static let minimumLease: Duration = .seconds(30)

    /// The lease was taken over while this gateway synced.
    struct LeaseLost: Error, CustomStringConvertible {
        var description: String { "another gateway took the lease: this sync stopped" }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.round()
                do { try await Task.sleep(for: self.interval) } catch { break }
            }
        }
        // Not under the cancelled task: the release must reach the store.
        let (leases, name, holder) = (leases, name, holder)
        try? await Task { try await leases.release(name, holder: holder) }.value
    }

    /// One round: the lease, then the sync under it. Answers nothing; errors are logged and counted.
    func round() async {
        let lease = max(interval * 2, Self.minimumLease)
        do {
            let now = Date()
            guard try await leases.acquire(name, holder: holder, now: now, until: now + lease.timeInterval) else {
                count(\.skipped, "skipped")
                logger.debug("glance sync: another gateway holds the lease", metadata: ["lease": .string(name)])
                return
            }
            let report = try await withThrowingTaskGroup(of: GlanceSyncReport?.self) { group in
                group.addTask { try await self.sync() }
                group.addTask {
                    // A renewal that fails is logged, not fatal: the sync goes on, and the lease
                    // still has most of its two intervals.
                    while true {
                        try await Task.sleep(for: lease / 4)
                        let now = Date()
                        do {
                            if try await !self.leases.acquire(self.name, holder: self.holder, now: now, until: now + lease.timeInterval) {
                                throw LeaseLost()
                            }
                        } catch let lost as LeaseLost {
                            throw lost
                        } catch {
                            if Task.isCancelled { return nil }
                            self.logger.warning("glance sync: the lease was not renewed", metadata: ["error": .string("\(error)")])
                        }
                    }
                }
                defer { group.cancelAll() }
                while let done = try await group.next() {
                    if let report = done { return report }
                }
                throw CancellationError()
            }
            count(\.synced, "synced")
            let level: Logger.Level = report.adopted.isEmpty ? .debug : .info
            logger.log(level: level, "glance sync", metadata: [
                "seen": .stringConvertible(report.seen), "adopted": .stringConvertible(report.adopted.count),
                "missing_in_glance": .stringConvertible(report.missingInGlance.count),
            ])
        } catch {
            if Task.isCancelled { return }
            count(\.failed, "failed")
            logger.error("glance sync failed; next try in one interval", metadata: [
                "error": .string("\(error)"), "interval_seconds": .stringConvertible(interval.timeInterval),
            ])
        }
    }

    private func count(_ field: WritableKeyPath<Counts, Int> & Sendable, _ outcome: String) {
        counted.withLockedValue { $0[keyPath: field] += 1 }
        guard let metrics else { return }
        Counter(label: "ims_gateway_glance_sync_total", dimensions: [("lease", name), ("outcome", outcome)], factory: metrics).increment()
    }
}
