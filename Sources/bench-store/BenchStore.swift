import Foundation
import GRDB
import GatewayHTTP
import IMSModel
import IMSService
import IMSStoreSQLite
import Logging
import NIOCore
import ServiceLifecycle

/// Storage side of `bench/run`:
/// - `bench-store inserts PATH N`: the GRDB baseline — N images inserted one durable write
///   transaction each into a store with the gateway's schema; prints inserts per second.
/// - `bench-store seed PATH N`: fills a store with N images quickly (for the scale runs), with
///   references `img-` + 8 base-36 digits of their number and names `image-<number>`.
/// - `bench-store grow PATH N SECONDS`: while a gateway serves the store, adds N more images
///   (numbered on from its highest row id, as `seed` names them) in batches of 100 spread
///   evenly over SECONDS (the mixed soak's growth, `bench/run` section 8). Batches of 1,000 held
///   SQLite's writer long enough to be the soak's p99 (226–291 ms against 64–92 with 100 and
///   12–31 with no growth, 90 s soaks at 667 images/s on this machine).
/// - `bench-store mixed PATH N CONFIG`: a store as a migration meets it (`scripts/migrate-check`):
///   N images seeded as `seed` does, then through the service with CONFIG's users and
///   catalogue: one more image for every 40 (at least 10) with 2 MiB of bytes uploaded, 30 applications, 30
///   instances with members, 30 shares, 10 finished jobs.
/// - `bench-store reads PATH N`: one image read N times, in-process: through DatabasePool.read
///   (sync and async), on a read-only connection, and as the store's GET-by-id; µs per read.
/// - `bench-store wire PATH N`: the remote hop's wire encoding against the alternatives
///   (`WireBench`).
@main
struct BenchStore {
    static let usage = "usage: bench-store inserts|seed|reads|wire PATH N | bench-store mixed PATH N CONFIG | bench-store grow PATH N SECONDS"

    static func main() async throws {
        let args = Array(CommandLine.arguments.dropFirst())
        guard args.count == 3 || (args.count == 4 && ["mixed", "grow"].contains(args[0])), let count = Int(args[2]) else {
            print(usage)
            return
        }
        // Opening a BundledBackend creates the schema exactly as the gateway has it.
        let options = args.count == 4 && args[0] == "mixed" ? try GatewayConfig.load(path: args[3]).bundledOptions : BundledOptions()
        let backend = try BundledBackend(path: args[1], options: options)
        let pool = try BundledBackend.openPool(path: args[1])
        let now = Date()
        switch args[0] {
        case "inserts":
            let started = ContinuousClock.now
            for i in 0..<count {
                let image = Image(imageId: reference(i + 5_000_000), name: "raw-\(i)", now: now)
                try await pool.write { db in
                    var row = image
                    try row.insert(db)
                }
            }
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            print(String(format: "inserts_per_second %.1f", Double(count) / seconds))
        case "seed", "mixed":
            var next = 0
            while next < count {
                let range = next..<min(next + 10_000, count)
                try await pool.write { db in
                    for i in range {
                        var image = Image(imageId: reference(i), name: String(format: "image-%08d", i), now: now)
                        image.visibility = .public
                        try image.insert(db)
                    }
                }
                next = range.upperBound
            }
            print("seeded \(count)")
            if args[0] == "mixed" { try await mixed(backend, images: count) }
        case "wire":
            guard case .image(let created) = try await backend.execute(.createImage([.name: "w"]), as: .anonymousOperator) else { return }
            try WireBench.run(.image(created), rounds: count)
        case "grow":
            guard let seconds = Double(args[3]) else { print(usage); return }
            let first = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(MAX(id), 0) FROM image") ?? 0 }
            let started = ContinuousClock.now
            let batches = max(1, count / 100)
            for batch in 0..<batches {
                // Each batch at its share of the time: the growth stays steady whatever the load.
                let due = started + .seconds(seconds * Double(batch) / Double(batches))
                if due > ContinuousClock.now { try await Task.sleep(until: due) }
                let range = (first + batch * count / batches)..<(first + (batch + 1) * count / batches)
                let at = Date()
                try await pool.write { db in
                    for i in range {
                        var image = Image(imageId: reference(i), name: String(format: "image-%08d", i), now: at)
                        image.visibility = .public
                        try image.insert(db)
                    }
                }
            }
            print("grown \(count)")
        case "reads":
            // One image, read `count` times four ways: the raw statement through the pool (sync and
            // async) and on a read-only connection, then the store's command.
            guard case .image(let created) = try await backend.execute(.createImage([.name: "r"]), as: .anonymousOperator) else { return }
            let rowID = created.image.id!
            func time(_ label: String, _ body: () async throws -> Void) async rethrows {
                let started = ContinuousClock.now
                for _ in 0..<count { try await body() }
                let microseconds = (ContinuousClock.now - started) / .microseconds(1)
                print(String(format: "%@ %.2f us/read", label, microseconds / Double(count)))
            }
            try await time("raw_cached_statement_sync") {
                _ = try pool.read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM image WHERE id = ?"), arguments: [rowID]) }
            }
            try await time("raw_cached_statement_async") {
                _ = try await pool.read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM image WHERE id = ?"), arguments: [rowID]) != nil }
            }
            var readOnly = Configuration()
            readOnly.readonly = true
            let queue = try DatabaseQueue(path: args[1], configuration: readOnly)
            try await time("raw_cached_statement_queue") {
                _ = try queue.inDatabase { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM image WHERE id = ?"), arguments: [rowID]) }
            }
            try await time("backend_get_image") {
                _ = try await backend.execute(.getImage(ImageSelector(ref: String(rowID))), as: .anonymousOperator)
            }
        default:
            print(usage)
        }
    }

    static func reference(_ n: Int) -> String {
        let digits = String(n, radix: 36)
        return "img-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// Everything but the plain images, made through the service as clients would.
    static func mixed(_ backend: BundledBackend, images: Int) async throws {
        let admin = Identity.anonymousOperator
        let withBytes = max(10, images / 40)
        var chunk = ByteBuffer()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<(256 * 1024 / 8) { chunk.writeInteger(generator.next() as UInt64) }
        var bytes: Int64 = 0
        var uploaded: [String] = []
        for i in 0..<withBytes {
            guard case .image(let made) = try await backend.execute(.createImage([.name: .string("bytes-\(i)"), .status: "queued"]), as: admin),
                  case .uploadTicket(let ticket) = try await backend.execute(.prepareUpload(ImageSelector(ref: made.image.imageId), size: 2 << 20), as: admin) else {
                throw GatewayStartError("prepareUpload answered no ticket")
            }
            // 2 MiB that differ per image: eight 256 KiB chunks, each stamped with the image and its place.
            let body = AsyncStream<ByteBuffer> { continuation in
                for part in 0..<8 {
                    var stamped = chunk
                    stamped.setInteger(UInt64(i * 8 + part), at: 0)
                    continuation.yield(stamped)
                }
                continuation.finish()
            }
            _ = try await backend.upload(imageId: ticket.imageId, token: ticket.token, body: body.map { $0 })
            _ = try await backend.execute(.finishUpload(ImageSelector(ref: ticket.imageId), uploadId: ticket.uploadId, success: true), as: admin)
            bytes += 2 << 20
            uploaded.append(ticket.imageId)
        }
        var apps: [Int64] = []
        for i in 0..<30 {
            let draft = ApplicationDraft(name: "app-\(i)", displayName: "App \(i)", description: "seeded", picture: "p.jpg", applications: ["mysql"])
            if case .application(let app) = try await backend.execute(.createApplication(draft), as: admin), let id = app.id { apps.append(id) }
        }
        for i in 0..<30 {
            let draft = InstanceDraft(name: "inst-\(i)", displayName: "Instance \(i)", description: nil, userId: 8,
                                      applicationId: apps[i % apps.count], flavorConfig: .lowest)
            if case .instance(let view) = try await backend.execute(.createInstance(draft), as: admin), let id = view.instance.id {
                _ = try await backend.execute(.addMembers(instance: id, users: [9, 1]), as: admin)
            }
        }
        for ref in uploaded.prefix(30) {
            _ = try await backend.execute(.shareImage(ImageSelector(ref: ref), userIds: ["8", "9"]), as: admin)
        }
        // Jobs run by the service's worker, started here and stopped once they have finished.
        let group = ServiceGroup(configuration: .init(services: backend.services.map { .init(service: $0) }, logger: Logger(label: "bench-store")))
        async let running: Void = group.run()
        var jobs: [String] = []
        for i in 0..<10 {
            let delete = Command.asJob(JobSpec(action: "DeleteImages", zone: "ac1", requestId: "seed-\(i)"), .batchDeleteImages([reference(images - 100 - i)]))
            if case .job(let job) = try await backend.execute(delete, as: admin) { jobs.append(job.jobId) }
        }
        while true {
            guard case .jobs(let page) = try await backend.execute(.listJobs(JobQuery(jobIds: jobs, limit: 100)), as: admin) else { break }
            if page.items.allSatisfy({ $0.status == .successful || $0.status == .failed }) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        await group.triggerGracefulShutdown()
        try await running
        print("mixed: \(withBytes) images with \(bytes >> 20) MiB, \(apps.count) applications, 30 instances, \(min(30, uploaded.count)) images shared, \(jobs.count) jobs")
    }
}
