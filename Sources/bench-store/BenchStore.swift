import Foundation
import GRDB
import IMSModel
import IMSStoreSQLite

/// Storage side of `bench/run`:
/// - `bench-store inserts PATH N`: the GRDB baseline — N images inserted one durable write
///   transaction each into a store with the gateway's schema; prints inserts per second.
/// - `bench-store seed PATH N`: fills a store with N images quickly (for the scale runs), with
///   references `img-` + 8 base-36 digits of their number and names `image-<number>`.
/// - `bench-store reads PATH N`: one image read N times, in-process: through DatabasePool.read
///   (sync and async), on a read-only connection, and as the store's GET-by-id; µs per read.
@main
struct BenchStore {
    static let usage = "usage: bench-store inserts|seed|reads PATH N"

    static func main() async throws {
        let args = Array(CommandLine.arguments.dropFirst())
        guard args.count == 3, let count = Int(args[2]) else {
            print(usage)
            return
        }
        // Opening a BundledBackend creates the schema exactly as the gateway has it.
        let backend = try BundledBackend(path: args[1])
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
        case "seed":
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
}
