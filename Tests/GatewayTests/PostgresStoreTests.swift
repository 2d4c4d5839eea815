import Foundation
@testable import IMSModel
@testable import IMSService
@testable import IMSStorePostgres
import Testing

/// PostgreSQL-only behaviour of `PGStore` that the shared store contract does not reach: the
/// SQLite store's text semantics reproduced in SQL, and jobs across two gateways' workers.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["IMS_PG_URL"] != nil, "needs IMS_PG_URL"))
struct PostgresStoreTests {
    /// A store on a fresh schema, running while `body` runs.
    static func withStore<T: Sendable>(_ body: @Sendable (PGStore) async throws -> T) async throws -> T {
        let db = PGDatabase(try PostgresMigratorTests.address(schema: PostgresMigratorTests.freshSchema()), maxConnections: 4)
        return try await PostgresMigratorTests.running([db]) { try await body(PGStore(db)) }
    }

    static func image(_ name: String, owner: String = "acme", cr: Int64? = nil, now: Date = Date()) -> Image {
        var image = Image(imageId: "img-" + RandomID.make(length: 8), name: name, now: now)
        image.owner = owner
        image.computeResourceId = cr
        return image
    }

    @Test func filtersFoldASCIIOnlyAndSearchWordsMatchNamePartsOrIds() async throws {
        try await Self.withStore { store in
            for name in ["CentOS-9", "centos-8", "Débian-É", "ubuntu_22%"] { _ = try await store.insert(Self.image(name), job: nil, unique: ImageUniqueness.keys) }
            func names(_ query: ImageQuery) async throws -> [String] {
                try await store.images(query, reach: .all).items.map(\.image.name)
            }
            #expect(try await names(ImageQuery(filters: [.eq(.name, "CENTOS-9")])) == ["CentOS-9"])
            #expect(try await names(ImageQuery(filters: [.eq(.name, "débian-é")])) == [])
            #expect(try await names(ImageQuery(searchWord: "CENT", sort: [SortKey(.name)])) == ["CentOS-9", "centos-8"])
            #expect(try await names(ImageQuery(searchWord: "u_22%")) == ["ubuntu_22%"])
            #expect(try await names(ImageQuery(searchWord: "u%2")) == [])
            #expect(try await names(ImageQuery(filters: [ImageCondition(.name, .in, ["centos-8", "CentOS-9"])], sort: [SortKey(.name)]))
                == ["CentOS-9", "centos-8"])
            #expect(try await names(ImageQuery(filters: [ImageCondition(.minDisk, .ge, [.string("0")])])).count == 4)
            let page = try await store.images(ImageQuery(sort: [SortKey(.name, descending: true)], offset: 1, limit: 2), reach: .all)
            #expect(page.items.map(\.image.name) == ["centos-8", "Débian-É"])
            #expect(page.total == 4)
            let not = try await names(ImageQuery(match: .not(.condition(.eq(.computeResourceId, .int(1))))))
            #expect(not.count == 4)
        }
    }

    @Test func reachAndResolveFollowTenancyAndRowIdsFirst() async throws {
        try await Self.withStore { store in
            let mine = try await store.insert(Self.image("mine"), job: nil, unique: ImageUniqueness.keys)
            let theirs = try await store.insert(Self.image("theirs", owner: "globex"), job: nil, unique: ImageUniqueness.keys)
            let reach = ImageReach.visible(tenant: "acme", user: "u1")
            #expect(try await store.image(.ref(theirs.image.imageId), reach: reach, within: []) == nil)
            #expect(try await store.image(.row(mine.image.id!), reach: reach, within: [])?.image.name == "mine")
            let refs = [String(mine.image.id!), theirs.image.imageId, "img-missing", mine.image.imageId]
            let resolved = try await store.resolve(refs, reach: .all)
            #expect(resolved.map { $0?.imageId } == [mine.image.imageId, theirs.image.imageId, nil, mine.image.imageId])
            #expect(try await store.deleteAll([mine.image.imageId, "img-missing"], unless: [.shared]) == false)
            #expect(try await store.deleteAll([mine.image.imageId, theirs.image.imageId], unless: [.shared]) == true)
            #expect(try await store.images(ImageQuery(), reach: .all).total == 0)
        }
    }

    @Test func concurrentInsertsOfOneForemanNameLeaveOne() async throws {
        try await Self.withStore { store in
            try await store.seed([CatalogEntry(kind: .computeResource, id: 1, name: "libvirt")])
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        var image = Self.image("same", cr: 1)
                        image.uuid = "u-\(i)"
                        return (try? await store.insert(image, job: nil, unique: ImageUniqueness.keys)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let view = try await store.images(ImageQuery(), reach: .all).items.first
            #expect(view?.computeResourceName == "libvirt")
        }
    }

    /// Creates go in grouped statements with no lock (the unique indexes keep Foreman's keys):
    /// across two gateways on one schema, each create is stored once with its own row id, a
    /// key taken by several at once is kept by one, and the refusal names the key broken.
    @Test func groupedCreatesAcrossTwoGatewaysKeepEachOnceAndEachKey() async throws {
        let schema = PostgresMigratorTests.freshSchema()
        let dbs = try (0..<2).map { _ in PGDatabase(try PostgresMigratorTests.address(schema: schema), maxConnections: 4) }
        try await PostgresMigratorTests.running(dbs) {
            let stores = dbs.map(PGStore.init)
            try await stores[0].seed([CatalogEntry(kind: .computeResource, id: 1, name: "libvirt")])
            // 60 distinct creates, and 20 of one uuid (distinct names), half through each gateway;
            // every fourth writes a job beside it (the locked path), so both paths meet.
            let outcomes = await withTaskGroup(of: (String, Result<Int64, CanonicalError>).self) { group in
                for i in 0..<80 {
                    group.addTask {
                        var image = Self.image("n-\(i)", cr: 1)
                        image.uuid = i < 60 ? "u-\(i)" : "shared"
                        let job = i % 4 == 0 ? Job(jobId: "job-\(i)", action: "CreateImage", status: .successful, zone: "z", requestId: "r-\(i)",
                                                      resourceIds: [image.imageId], owner: "acme", createdAt: Date()) : nil
                        do {
                            let view = try await stores[i % 2].insert(image, job: job, unique: ImageUniqueness.keys)
                            return (image.uuid, .success(view.image.id!))
                        } catch let error as CanonicalError {
                            return (image.uuid, .failure(error))
                        } catch {
                            return (image.uuid, .failure(.internal("\(error)")))
                        }
                    }
                }
                return await group.reduce(into: [(String, Result<Int64, CanonicalError>)]()) { $0.append($1) }
            }
            let stored = outcomes.compactMap { try? $0.1.get() }
            #expect(stored.count == 61)
            #expect(Set(stored).count == 61)
            for case (_, .failure(let error)) in outcomes { #expect(error == .taken("uuid")) }
            #expect(try await stores[1].images(ImageQuery(), reach: .all).total == 61)
            // A name taken under the same operating system (none) is refused by name.
            await #expect(throws: CanonicalError.taken("name")) {
                try await stores[1].insert(Self.image("n-3", cr: 1), job: nil, unique: ImageUniqueness.keys)
            }
            // A row written without the keys (a migration's copy) is outside the indexes, yet a
            // create under the keys still finds it.
            _ = try await stores[0].insert(Self.image("copied", cr: 1), job: nil, unique: [])
            _ = try await stores[0].insert(Self.image("copied", cr: 1), job: nil, unique: [])
            await #expect(throws: CanonicalError.taken("name")) {
                try await stores[1].insert(Self.image("copied", cr: 1), job: nil, unique: ImageUniqueness.keys)
            }
            // Outside a compute resource neither key holds.
            _ = try await stores[0].insert(Self.image("n-3"), job: nil, unique: ImageUniqueness.keys)
            _ = try await stores[1].insert(Self.image("n-3"), job: nil, unique: ImageUniqueness.keys)
        }
    }

    /// A deep page of a kept total is read from the nearer end of the order; every page, from
    /// either end, is the slice of the whole order it names, and its total the kept count.
    @Test func pagesFromEitherEndAreSlicesOfOneOrder() async throws {
        try await Self.withStore { store in
            let start = Date(timeIntervalSince1970: 1_700_000_000)
            for i in 0..<9 {
                // Pairs share a creation time: the row id orders them.
                _ = try await store.insert(Self.image("p-\(i)", owner: i % 3 == 0 ? "globex" : "acme", now: start + Double(i / 2)),
                                           job: nil, unique: ImageUniqueness.keys)
            }
            let reach = ImageReach.visible(tenant: "acme", user: "u1")
            let sort = [SortKey(.createdAt, descending: true)]
            let all = try await store.images(ImageQuery(sort: sort), reach: reach).items.map(\.image.name)
            #expect(all == ["p-8", "p-7", "p-5", "p-4", "p-2", "p-1"])
            for offset in 0...7 {
                let page = try await store.images(ImageQuery(sort: sort, offset: offset, limit: 2), reach: reach)
                #expect(page.items.map(\.image.name) == Array(all.dropFirst(offset).prefix(2)), "offset \(offset)")
                #expect(page.total == 6)
            }
        }
    }

    @Test func aJobIsClaimedByOneWorkerAndTakenOverOnlyAfterItsLease() async throws {
        try await Self.withStore { store in
            let now = Date()
            let job = Job(jobId: "j-" + RandomID.make(length: 8), action: "CaptureInstance", status: .pending, zone: "ac1",
                          requestId: "r", resourceIds: ["img-1"], owner: "acme", createdAt: now, command: .finishCapture(imageId: "img-1"))
            try await store.enqueue(job)
            let first = try await store.claim(worker: "a", limit: 5, now: now, until: now + 30)
            let second = try await store.claim(worker: "b", limit: 5, now: now, until: now + 30)
            #expect(first.map(\.jobId) == [job.jobId])
            #expect(first.first?.command == .finishCapture(imageId: "img-1"))
            #expect(second.isEmpty)
            #expect(try await store.start(job.jobId, worker: "a", at: now))
            // Past a's lease, b takes it; a can no longer finish it.
            let later = now + 31
            #expect(try await store.claim(worker: "b", limit: 5, now: later, until: later + 30).map(\.jobId) == [job.jobId])
            #expect(try await store.finish(job.jobId, worker: "a", .successful, info: "", at: later, image: nil) == false)
            #expect(try await store.finish(job.jobId, worker: "b", .successful, info: "", at: later, image: nil))
            #expect(try await store.job(job.jobId)?.status == .successful)
            #expect(try await store.job(job.jobId)?.command == nil)
            #expect(try await store.claim(worker: "c", limit: 5, now: later + 60, until: later + 90).isEmpty)
        }
    }
}
