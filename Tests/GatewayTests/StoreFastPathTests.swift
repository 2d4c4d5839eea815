import Foundation
@testable import GatewayHTTP
import GRDB
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreSQLite
import Testing

/// The store's fast paths keep the store's meaning: concurrent writes committed together still
/// succeed or fail one by one, and an image read back by column position equals what was written.
@Suite struct StoreFastPathTests {
    @Test func concurrentCreatesCommitTogetherAndFailAlone() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        // 40 creates at once; every fourth reuses a name under the same compute resource.
        let outcomes = await withTaskGroup(of: (Int, Result<CommandResult, CanonicalError>).self) { group in
            for i in 0..<40 {
                group.addTask {
                    let name = i % 4 == 3 ? "dup" : "image-\(i)"
                    do throws(CanonicalError) {
                        let made = try await store.execute(.createImage([.name: .string(name), .computeResourceId: 1]), as: .anonymousOperator)
                        return (i, .success(made))
                    } catch { return (i, .failure(error)) }
                }
            }
            var all: [Int: Result<CommandResult, CanonicalError>] = [:]
            for await (i, outcome) in group { all[i] = outcome }
            return all
        }
        let failures = outcomes.values.compactMap { if case .failure(let e) = $0 { e } else { nil } }
        // Ten writers asked for "dup": one got it, nine were refused with Foreman's uniqueness conflict.
        #expect(failures.count == 9)
        #expect(failures.allSatisfy { $0.kind == "conflict" })
        #expect(try await store.page(ImageQuery()).total == 31)
        // Every acknowledged create is there, as a fresh store on the same file sees it.
        let reopened = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        for case .success(.image(let view)) in outcomes.values {
            let again = try await reopened.execute(.getImage(ImageSelector(ref: view.image.imageId)), as: .anonymousOperator)
            #expect(again == .image(view))
        }
    }

    /// GRDB's WAL set-up leaves commits unsynced (NORMAL); the store's writer must wait for the
    /// disk, or an answered write could be lost in a power cut.
    @Test func commitsWaitForTheDisk() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let level = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(level == 2)  // FULL
    }

    /// The log is copied back by the checkpointer, not by the commit that crosses the threshold;
    /// it must still be copied, or the WAL would grow with every write.
    @Test(.sqliteStoreOnly) func theLogIsCheckpointedInTheBackground() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let written = try await gateway.run(lane: .bundled) { client in
            for i in 0..<300 {
                let made = try await client.send(.post, "/api/compute_resources/1/images", body: .json(
                    ["image": ["name": .string("wal-\(i)"), "username": "root", "uuid": .string("u-\(i)")]]))
                #expect(made.status == 201)
            }
            return try FileManager.default.attributesOfItem(atPath: gateway.dataPath + "-wal")[.size] as? Int ?? -1
        }
        // 300 creates write about 4,000 frames of 4 KiB (some 13 pages each, the kept counts and
        // creation-order buckets of v13/v14 among them); the log restarts after each checkpoint,
        // so it stays well below that (6.2 and 7.4 MB seen on a loaded machine).
        #expect(written > 0 && written < 5 * Int(Checkpointer.threshold) * 4096 / 2, "WAL is \(written) bytes")
    }

    @Test func anImageReadsBackFieldForField() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        // A distinct value in every writable column, so a column read from the wrong position shows.
        var patch: ImagePatch = [.computeResourceId: 1, .operatingsystemId: 2, .architectureId: 2, .userData: true,
                                 .minDisk: 20, .minRam: 2048, .visibility: "public", .bits: "32"]
        for field in ImageField.allCases where field.isWritable && patch[field] == nil {
            if case .string = field.kind { patch[field] = .string("v-\(field.rawValue)") }
        }
        let made = try #require(try await store.execute(.createImage(patch), as: .anonymousOperator).imageView)
        let read = try #require(try await store.execute(.getImage(ImageSelector(ref: String(made.image.id!))), as: .anonymousOperator).imageView)
        #expect(read == made)
        for (field, value) in patch {
            #expect(read.value(field) == value, "\(field)")
        }
        #expect(read.value(.computeResourceName) == "libvirt")
        #expect(read.value(.operatingsystemName) == "CentOS 9")
        #expect(read.value(.architectureName) == "aarch64")
    }

    /// Lists page on the image table and search names through the trigram index; the answers
    /// are those of a plain scan.
    @Test func listsPageAndSearchLikeAScan() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let names = ["alpha-one", "Alpha-Two", "beta_one", "gamma%x", "delta"]
        for (i, name) in names.enumerated() {
            _ = try await store.execute(.createImage([.name: .string(name), .computeResourceId: 1, .operatingsystemId: .int(Int64(i % 2 + 1))]),
                                        as: .anonymousOperator)
        }
        // Trigram lookups (three characters or more) ignore ASCII case, as LIKE does.
        #expect(try await store.searched("alpha") == ["Alpha-Two", "alpha-one"])
        #expect(try await store.searched("ONE") == ["alpha-one", "beta_one"])
        // Short parts and LIKE's wildcards are matched literally by a scan.
        #expect(try await store.searched("ta") == ["beta_one", "delta"])
        #expect(try await store.searched("a%x") == ["gamma%x"])
        #expect(try await store.searched("a_o") == ["beta_one"])
        // Renames and deletions reach the index.
        let delta = try #require(try await store.execute(.getImage(ImageSelector(ref: "5")), as: .anonymousOperator).imageView)
        _ = try await store.execute(.updateImage(ImageSelector(ref: "5"), [.name: "omega"]), as: .anonymousOperator)
        #expect(try await store.searched("delta") == [])
        #expect(try await store.searched("omeg") == ["omega"])
        _ = try await store.execute(.deleteImage(ImageSelector(ref: delta.image.imageId)), as: .anonymousOperator)
        #expect(try await store.searched("omeg") == [])
        // Pages: the window over the sorted whole, with the total; a catalogue-name filter joins.
        let all = try await store.page(ImageQuery(sort: [SortKey(.name, descending: true)])).items.map(\.image.name)
        #expect(all == ["gamma%x", "beta_one", "alpha-one", "Alpha-Two"])
        let second = try await store.page(ImageQuery(sort: [SortKey(.name, descending: true)], offset: 1, limit: 2))
        #expect(second.items.map(\.image.name) == ["beta_one", "alpha-one"])
        #expect(second.total == 4)
        // The total without a COUNT when the page ends the matches, with one when it cannot tell.
        for (offset, limit, count) in [(3, 2, 1), (0, 10, 4), (4, 2, 0), (9, 2, 0), (2, nil, 2), (7, nil, 0), (0, 4, 4)] as [(Int, Int?, Int)] {
            let window = try await store.page(ImageQuery(sort: [SortKey(.name)], offset: offset, limit: limit))
            #expect(window.items.count == count && window.total == 4, "offset \(offset) limit \(String(describing: limit))")
        }
        let debian = try await store.page(ImageQuery(filters: [.eq(.operatingsystemName, "Debian 12")], sort: [SortKey(.operatingsystemName), SortKey(.name)],
                                               countsScope: true))
        #expect(debian.items.map(\.image.name) == ["alpha-one", "beta_one"])
        #expect(debian.total == 2 && debian.scopeTotal == 4)
        // The scope is counted only when asked (Foreman asks; the others never show it).
        #expect(try await store.page(ImageQuery(filters: [.eq(.operatingsystemName, "Debian 12")])).scopeTotal == nil)
    }

    /// A deleted image's name stays in the trigram index until the purge: searches meanwhile
    /// answer only live images, and after it the index holds only live images' names.
    @Test func deletedNamesLeaveTheIndexByThePurge() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        var refs: [String] = []
        for name in ["keep-one", "gone-one", #"say "hi" one"#, "GONE-two"] {
            let made = try #require(try await store.execute(.createImage([.name: .string(name)]), as: .anonymousOperator).imageView)
            refs.append(made.image.imageId)
        }
        // The second by image id, the fourth by row id and again by image id: two deletions.
        let deleted = try await store.execute(.batchDeleteImages([refs[1], "4", refs[3]]), as: .anonymousOperator)
        #expect(deleted == .imagesDeleted([refs[1], refs[3]]))
        func stale() async throws -> Int {
            try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM imageNameSearchStale") ?? -1 }
        }
        func postings(_ word: String) async throws -> Int {
            try await store.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM imageNameSearch WHERE imageNameSearch MATCH ?",
                                 arguments: [NameIndex.phrase(word)]) ?? -1
            }
        }
        #expect(try await stale() == 2)
        #expect(try await postings("gone") == 2)
        // A phrase with a quote in it, and the deleted names' postings matched but not answered.
        #expect(try await store.searched("one") == ["keep-one", #"say "hi" one"#])
        #expect(try await store.searched(#""hi""#) == [#"say "hi" one"#])
        #expect(try await store.searched("gone") == [])
        #expect(try await store.pool.write { db in try NameIndex.purge(limit: 1, in: db) } == 1)
        #expect(try await store.pool.write { db in try NameIndex.purge(limit: 10, in: db) } == 1)
        #expect(try await stale() == 0)
        #expect(try await postings("gone") == 0)
        #expect(try await postings("one") == 2)
        #expect(try await store.searched("one") == ["keep-one", #"say "hi" one"#])
    }

    /// A batch is checked ref by ref in the order given; the first ref that fails names the error
    /// and nothing is deleted.
    @Test func aBatchDeleteNamesItsFirstFailingRef() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let alice = Identity(user: "alice", tenant: "a"), bob = Identity(user: "bob", tenant: "b")
        func make(_ name: String, as who: Identity, _ patch: ImagePatch = [:]) async throws -> String {
            var patch = patch
            patch[.name] = .string(name)
            guard case .image(let made) = try await store.execute(.createImage(patch), as: who) else { throw CanonicalError.internal("no image") }
            return made.image.imageId
        }
        let mine = try await make("mine", as: alice)
        let shared = try await make("shared", as: alice)
        _ = try await store.execute(.shareImage(ImageSelector(ref: shared), userIds: ["8"]), as: alice)
        let bobsPublic = try await make("bobs-public", as: bob, [.visibility: "public"])
        let bobsPrivate = try await make("bobs-private", as: bob)
        func refusal(_ refs: [String]) async -> CanonicalError? {
            do throws(CanonicalError) {
                _ = try await store.execute(.batchDeleteImages(refs), as: alice)
                return nil
            } catch { return error }
        }
        // Visible but another tenant's: forbidden. Not visible at all: not found.
        #expect(await refusal([mine, bobsPublic, "img-missing"])?.kind == "forbidden")
        #expect(await refusal([mine, bobsPrivate, bobsPublic])?.description.contains(bobsPrivate) == true)
        #expect(await refusal([mine, "img-missing", shared])?.kind == "notFound")
        #expect(await refusal([mine, shared, "img-missing"])?.description.contains("is shared") == true)
        #expect(try await store.page(ImageQuery()).total == 4)
        #expect(await refusal([mine]) == nil)
    }

    /// A window in the second half is read backwards from the end; every window must still be
    /// that slice of the whole sorted list, ties and NULLs included.
    @Test func everyWindowIsTheSliceOfTheWholeList() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        for i in 0..<9 {
            var patch: ImagePatch = [.name: .string("n\(i)"), .minDisk: .int(Int64(i % 3))]  // ties
            if i % 4 != 0 { patch[.computeResourceId] = 1 }  // and NULLs
            _ = try await store.execute(.createImage(patch), as: .anonymousOperator)
        }
        func page(_ sort: [SortKey], _ offset: Int, _ limit: Int?) async throws -> ImagePage {
            try await store.page(ImageQuery(sort: sort, offset: offset, limit: limit))
        }
        let sorts: [[SortKey]] = [[], [SortKey(.name, descending: true)], [SortKey(.minDisk)], [SortKey(.minDisk, descending: true), SortKey(.name)],
                                  [SortKey(.computeResourceId)], [SortKey(.computeResourceId, descending: true)], [SortKey(.id, descending: true)]]
        for sort in sorts {
            let whole = try await page(sort, 0, nil).items.map(\.image.id)
            #expect(whole.count == 9)
            for offset in 0...10 {
                for limit in 1...4 {
                    let window = try await page(sort, offset, limit)
                    let expected = Array(whole[min(offset, 9)..<min(offset + limit, 9)])
                    #expect(window.items.map(\.image.id) == expected && window.total == 9, "\(sort) offset \(offset) limit \(limit)")
                }
            }
        }
    }

    /// A page in creation order is read along an index and stops after the page; a plan that
    /// sorts every match costs seconds at 1M images (it did for public and tenants' lists).
    @Test func aPageInCreationOrderSortsNothing() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let tenant = Identity(user: "u", tenant: "t")
        for (scope, identity) in [(ImageScope.visible, tenant), (.publicOnly, tenant), (.visible, .anonymousOperator)] {
            for descending in [false, true] {
                var sql = ImageSQL()
                sql.scope(.of(scope, for: identity))
                let page = sql.page([SortKey(.createdAt, descending: descending)], limit: 100, offset: 0)
                let plan = try await store.plan(page.sql, page.arguments)
                // One sort: the outer query's, of the page's own rows.
                #expect(plan.filter { $0.contains("TEMP B-TREE") }.count == 1, "\(scope) \(identity.isOperator): \(plan)")
            }
        }
        // Foreman's pages under a parent, in row order (its default).
        for parent in [ImageField.computeResourceId, .operatingsystemId, .architectureId] {
            var sql = ImageSQL()
            sql.scope(.of(.visible, for: .anonymousOperator))
            sql.condition(.eq(parent, 1))
            let page = sql.page([], limit: 20, offset: 0)
            let plan = try await store.plan(page.sql, page.arguments)
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(parent): \(plan)")  // row order: no sort at all
        }
        // Foreman's uniqueness checks on create go to the (compute resource, name) and uuid indexes.
        var image = Image(imageId: "img-plan", name: "n", now: Date())
        image.computeResourceId = 1
        image.uuid = "u"
        let name = try #require(SQLiteImages.taken(ImageUniqueness.keys[0], image))
        let uuid = try #require(SQLiteImages.taken(ImageUniqueness.keys[1], image))
        #expect(ImageUniqueness.keys.map(\.refusal) == [.name, .uuid])
        let namePlan = try await store.plan(name.0, name.1).joined()
        let uuidPlan = try await store.plan(uuid.0, uuid.1).joined()
        #expect(namePlan.contains("image_on_compute_resource (") && uuidPlan.contains("image_on_uuid"), "\(namePlan) \(uuidPlan)")
    }

    /// More concurrent GET-by-id than there are point-read connections: the rest go to the pool.
    @Test func pointReadsBeyondTheirConnectionsStillAnswer() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let made = try #require(try await store.execute(.createImage([.name: "busy"]), as: .anonymousOperator).imageView)
        let answers = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    (try? await store.execute(.getImage(ImageSelector(ref: made.image.imageId)), as: .anonymousOperator)) == .image(made)
                }
            }
            return await group.reduce(into: 0) { count, ok in if ok { count += 1 } }
        }
        #expect(answers == 64)
    }

    @Test func eventLoopsFollowTheAffinityMask() {
        #expect(EventLoopCount.allowedCPUs(inStatus: "Name:\tx\nCpus_allowed:\t00000000,00000001\nCpus_allowed_list:\t0\n") == 1)
        #expect(EventLoopCount.allowedCPUs(inStatus: "Cpus_allowed:\tff,0000000f\n") == 12)
        #expect(EventLoopCount.allowedCPUs(inStatus: "Name:\tx\n") == nil)
        #expect(EventLoopCount.available >= 1)
    }

    /// The store's date parser reads what GRDB writes exactly as GRDB reads it back.
    @Test func storedDatesParseAsGRDBParsesThem() throws {
        let seconds: [Double] = [0, 0.001, 951_782_400.5, 1_709_164_800.999, 1_795_456_286.123, -86_400.25, 4_102_444_799]
        for s in seconds {
            let text = try #require(String.fromDatabaseValue(Date(timeIntervalSince1970: s).databaseValue))
            let expected = try #require(Date.fromDatabaseValue(text.databaseValue))
            let parsed = Array(text.utf8).withUnsafeBufferPointer { StoredDate.parse($0) }
            #expect(parsed == expected, "\(text)")
        }
        for bad in ["2026-13-01 00:00:00", "2026-11-23 24:00:00.000", "2026-11-23", "2026-11-2x 00:00:00", "2026/11/23 00:00:00"] {
            #expect(Array(bad.utf8).withUnsafeBufferPointer { StoredDate.parse($0) } == nil, "\(bad)")
        }
    }

    /// The answers' date text is Foundation's, character for character.
    @Test func utcTextIsFoundationsText() {
        var seconds: [Double] = [0, 0.001, 0.999, 59.9995, 951_782_400.5, 1_709_164_800.999, 1_795_456_286.123,
                                 -0.001, -86_400.25, -2_208_988_800, -2_208_988_801, -62_135_596_799, 4_102_444_799, 253_402_300_799.5]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 { seconds.append(Double.random(in: -3e9...4e9, using: &generator)) }
        for s in seconds {
            let date = Date(timeIntervalSince1970: s)
            let foreman = date.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: .gmt))
            #expect(ValueCodec.TimeStyle.foreman.render(date) == .string(String(foreman.dropLast()) + " UTC"), "\(s)")
            #expect(ValueCodec.TimeStyle.isoSeconds.render(date) == .string(date.formatted(Date.ISO8601FormatStyle())), "\(s)")
            let millis = date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
                .timeSeparator(.colon).timeZone(separator: .omitted))
            #expect(CanonicalTime.format(date) == millis, "\(s)")
            #expect((UTCText.format(date, separator: "T", millis: true, zone: "Z") == nil) == (s < -2_208_988_800), "\(s)")
        }
    }

    @Test func requestIdsAreDistinctUUIDShapedText() {
        let ids = (0..<1_000).map { _ in RequestIDs.make() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(10) {
            #expect(id.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) != nil, "\(id)")
        }
        #expect(ids[0].prefix(18) == ids[999].prefix(18))
    }
}

extension BundledBackend {
    /// A page of images as the operator sees it.
    func page(_ query: ImageQuery) async throws -> ImagePage {
        guard case .images(let page) = try await execute(.listImages(query), as: .anonymousOperator) else {
            throw CanonicalError.internal("not a page")
        }
        return page
    }

    /// The names of the images whose reference or name matches `word`, by name.
    func searched(_ word: String) async throws -> [String] {
        try await page(ImageQuery(searchWord: word, sort: [SortKey(.name)])).items.map(\.image.name)
    }

    /// SQLite's plan for a statement, a line per step.
    func plan(_ sql: String, _ arguments: StatementArguments = StatementArguments()) async throws -> [String] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
    }
}
