import Foundation
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreGlance
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// `ims-gateway migrate` as the service runs it: the mixed workload of every dialect
/// (`ReplayWorkload`: images with bytes, applications, instances with members, shares, jobs,
/// catalogue changes) recorded on SQLite, copied onto fresh stores, stopped halfway and run
/// again from an older checkpoint (what a kill -9 between a batch and its checkpoint leaves).
@Suite struct MigrationTests {
    struct Stop: Error {}

    /// SQLite onto SQLite; with PostgreSQL, SQLite onto it and back; with Glance too, SQLite onto
    /// Glance over PostgreSQL (issues 24 and 25: bundled SQLite onto the composite).
    static let pairs: [(StoreFactory, StoreFactory)] = [(.sqlite, .sqlite)] + StoreFactory.postgres.flatMap { [(.sqlite, $0), ($0, .sqlite)] }
        + StoreFactory.glance.map { (.sqlite, $0) }

    @Test(arguments: pairs)
    func aStoreMigratedInTwoRunsHoldsEveryRecordWithItsIdsAndAnswersTheSameReads(from origin: StoreFactory, onto target: StoreFactory) async throws {
        try await ContractStores.with(origin) { source in
            var recorder = Recorder(player: Player(source))
            try await ReplayWorkload.run(&recorder)
            try await ContractStores.with(target) { copy in
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                let checkpoint = directory.appendingPathComponent("checkpoint").path

                // First run: stopped after the third batch of images; the checkpoint is put back
                // to the second's, as if killed before the third was written down.
                var first = Migration(source: StoresSource(source), target: copy, checkpoint: checkpoint)
                first.batch = 7
                let batches = NIOLockedValueBox(0)
                first.progress = { progress in
                    guard progress.kind == .images else { return }
                    let n = batches.withLockedValue { $0 += 1; return $0 }
                    if n == 2 { try FileManager.default.copyItem(atPath: checkpoint, toPath: checkpoint + ".second") }
                    if n == 3 { throw Stop() }
                }
                await #expect(throws: Stop.self) { _ = try await first.run(from: "\(origin)", to: "\(target)") }
                try FileManager.default.removeItem(atPath: checkpoint)
                try FileManager.default.moveItem(atPath: checkpoint + ".second", toPath: checkpoint)
                let stopped = try MigrationCheckpoint.load(checkpoint, from: "\(origin)", to: "\(target)")
                #expect(stopped.kinds["images"]?.scanned == 14 && stopped.kinds["images"]?.finished == false)

                var second = Migration(source: StoresSource(source), target: copy, checkpoint: checkpoint)
                second.batch = 7
                let done = try await second.run(from: "\(origin)", to: "\(target)")
                let images = try #require(done.kinds["images"])
                // The third batch was copied before the stop: the rerun finds it and skips it.
                #expect(images.skipped >= 7 && images.copied + images.skipped + 14 == images.scanned + 14)
                #expect(images.bytes > 0, "images with bytes were copied")

                let checks = try await second.verify()
                for check in checks {
                    #expect(check.holds, "\(check.kind): source \(check.source), target \(check.target), missing \(check.missing.prefix(5)), differing \(check.differing.prefix(5)) \(check.example.map { "\n\($0.source)\n\($0.target)" } ?? "")")
                }
                #expect(checks.first { $0.kind == .images }!.source > 40)
                #expect(checks.first { $0.kind == .applications }!.source > 2)
                #expect(checks.first { $0.kind == .shares }!.source > 0)
                #expect(checks.first { $0.kind == .jobs }!.source > 0)

                // Every read a dialect decodes to answers the same from both.
                let old = Player.service(source, mint: Player.otherMint), new = Player.service(copy, mint: Player.otherMint)
                var reads: [(Command, Identity)] = []
                for who in [ReplayWorkload.admin, ReplayWorkload.zhang, ReplayWorkload.wang] {
                    reads += [
                        (.listImages(ImageQuery(limit: 1000)), who),
                        (.listImages(ImageQuery(scope: .own, sort: [SortKey(.name, descending: true)], limit: 1000, countsScope: true)), who),
                        (.listApplications(ListWindow(limit: 1000)), who),
                        (.listInstances(InstanceQuery(window: ListWindow(limit: 1000))), who),
                        (.listReceivedShares(offset: 0, limit: 1000, newestFirst: true), who),
                        (.listJobs(JobQuery(statuses: [.successful, .failed], limit: 100)), who),
                    ]
                }
                for kind in CatalogEntry.Kind.allCases { reads.append((.listCatalog(CatalogQuery(kind: kind)), ReplayWorkload.admin)) }
                let all = try #require(try await old.execute(.listImages(ImageQuery(limit: 1000)), as: ReplayWorkload.admin).imagePage)
                for view in all.items {
                    reads.append((.getImage(ImageSelector(ref: view.image.imageId)), ReplayWorkload.admin))
                    reads.append((.listShares(ImageSelector(ref: view.image.imageId), offset: 0, limit: 100), ReplayWorkload.admin))
                }
                // The bytes themselves, streamed back from the target's file store (on Glance,
                // from Glance), hash as the source's record says: `verify` compares the records.
                var streamed = 0
                for view in all.items {
                    guard let file = try await source.uploads.file(view.image.imageId), file.complete else { continue }
                    var bytes: [UInt8] = []
                    try await copy.bytes.read(view.image.imageId, range: nil) { bytes += $0.readableBytesView }
                    #expect(bytes.count == file.size && md5Hex(bytes) == file.md5, "\(view.image.imageId)'s bytes on \(target)")
                    streamed += 1
                }
                #expect(streamed > 0, "images with bytes were read back")
                // On Glance, what OpenStack's clients read is Glance's copy: every image there, as the
                // table writes it, those whose values Glance refuses as they are (the workload writes
                // 4-byte characters into every text field, and a min_disk past 32 bits) included.
                var glanceHolds = ""
                if let onGlance = copy.images as? GlanceImageStore {
                    var held = 0
                    for view in all.items {
                        let document = onGlance.mirror.document(view.image)
                        #expect(!document.refusedByGlance)
                        let found = try await onGlance.mirror.locate(view.image.imageId)
                        #expect(found.map { GlanceFields.patch(from: $0.json, to: document) } == [], "\(view.image.imageId) in Glance")
                        held += 1
                    }
                    #expect(held == all.items.count)
                    glanceHolds = " (all \(held) images in Glance)"
                }
                var compared = 0
                for (command, who) in reads {
                    let a = await Self.answer(command, on: old, as: who), b = await Self.answer(command, on: new, as: who)
                    #expect(a == b, "\(command) as \(who.user)")
                    compared += 1
                }
                print("migrate \(origin) onto \(target): \(checks.map { "\($0.kind.rawValue) \($0.target)" }.joined(separator: ", ")); \(streamed) images' bytes and \(compared) reads equal\(glanceHolds)")
            }
        }
    }

    static func answer(_ command: Command, on service: GatewayService, as who: Identity) async -> Result<CommandResult, CanonicalError> {
        do throws(CanonicalError) { return .success(try await service.execute(command, as: who)) } catch { return .failure(error) }
    }
}
