import Dialects
import Foundation
@testable import GatewayHTTP
import GRDB
import Testing

/// Routes move between backends one at a time (DESIGN §5, §7): two SQLite backends, Foreman's
/// image create moved from the first to the second by editing its route file and reloading
/// (what SIGHUP runs), while creates are in flight.
@Suite(.sqliteStoreOnly) struct RouteMoveTests {
    @Test func aRouteMovedBySIGHUPWritesToItsNewBackendAndTheOthersStay() async throws {
        let dir = try OperationsTests.configCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ims-gateway.yaml").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let shipped = text.range(of: "backends:\n")!.lowerBound..<text.range(of: "use: local")!.upperBound
        text.replaceSubrange(shipped, with: """
            backends:
              old: {kind: sqlite, path: old/ims.sqlite}
              new: {kind: sqlite, path: new/ims.sqlite}
            use: old
            """)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let routes = dir.appendingPathComponent("routes/foreman.yaml").path
        let before = try String(contentsOfFile: routes, encoding: .utf8)
        let create = #"operation: image.create}"#
        #expect(before.contains(create))

        let config = try GatewayConfig.load(path: path)
        let oldFile = dir.appendingPathComponent("old/ims.sqlite").path, newFile = dir.appendingPathComponent("new/ims.sqlite").path
        try await withReloadable(config, path: path) { client, live in
            @Sendable func createImage(_ name: String) async throws -> Int64? {
                let made = try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                    "image": ["name": .string(name), "username": "root", "uuid": .string("uuid-\(name)"), "architecture_id": 1, "operatingsystem_id": 2],
                ]))
                guard made.status == 201, case .int(let id)? = made["id"] else { return nil }
                return id
            }
            let first = try #require(try await createImage("before-move"))
            #expect(!FileManager.default.fileExists(atPath: newFile), "the second backend is opened only when a route names it")

            // Creates in flight while the route file changes and the gateway reloads.
            let acknowledged = try await withThrowingTaskGroup(of: String?.self) { group in
                for n in 0..<40 {
                    group.addTask { try await createImage("during-\(n)") != nil ? "during-\(n)" : nil }
                    if n == 20 {
                        try before.replacingOccurrences(of: create, with: #"operation: image.create, backend: new}"#)
                            .write(toFile: routes, atomically: true, encoding: .utf8)
                        try live.reload()
                    }
                }
                var names: [String] = []
                for try await name in group { if let name { names.append(name) } }
                return names
            }
            #expect(acknowledged.count == 40)

            let second = try #require(try await createImage("after-move"))
            // Another route (update) still runs on the old backend: the first image is there.
            let renamed = try await client.send(.put, "/api/compute_resources/1/images/\(first)", body: .json(["image": ["name": "renamed-on-old"]]))
            #expect(renamed.status == 200, "\(renamed.text)")
            // Reads stay on the old backend too: the image created after the move is not there
            // (its row id is the new store's own, and may name another image in the old one).
            let read = try await client.send(.get, "/api/compute_resources/1/images/\(second)")
            #expect(read.status == 404 || read["name"] != "after-move", "\(read.text)")

            let old = try Self.names(in: oldFile), new = try Self.names(in: newFile)
            #expect(old.contains("renamed-on-old") && !old.contains("before-move") && !old.contains("after-move"))
            #expect(!new.contains("renamed-on-old") && !new.contains("before-move"))
            // Nothing acknowledged is lost, and nothing lands twice: each create made in flight
            // is in exactly one of the two stores.
            for name in acknowledged {
                #expect([old.contains(name), new.contains(name)].filter { $0 }.count == 1, "\(name)")
            }
            #expect(old.filter { $0.hasPrefix("during-") }.count + new.filter { $0.hasPrefix("during-") }.count == 40)
            // The reload moved the route: the creates after it are all in the new store.
            #expect(new.contains("after-move"))
        }
    }

    @Test func aReloadNamingAnUnknownBackendIsRefusedAndTheOldRoutesServe() async throws {
        let dir = try OperationsTests.configCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let path = dir.appendingPathComponent("ims-gateway.yaml").path
        var config = try GatewayConfig.load(path: path)
        config.backendInUse.path = gateway.dataPath
        try await withReloadable(config, path: path) { client, live in
            let routes = dir.appendingPathComponent("routes/foreman.yaml").path
            try (try String(contentsOfFile: routes, encoding: .utf8) + "backend: nowhere\n").write(toFile: routes, atomically: true, encoding: .utf8)
            do {
                try live.reload()
                Issue.record("a route file naming an unknown backend was loaded")
            } catch {
                #expect("\(error)".contains("backend 'nowhere' is not under backends:"), "\(error)")
            }
            #expect(try await client.send(.get, "/api/compute_resources/1/images").status == 200)
        }
    }

    static func names(in file: String) throws -> [String] {
        let db = try DatabaseQueue(path: file)
        return try db.read { try String.fetchAll($0, sql: "SELECT name FROM image ORDER BY name") }
    }
}
