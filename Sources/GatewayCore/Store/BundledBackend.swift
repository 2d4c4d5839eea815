import Foundation
import GRDB
import Logging
import NIOCore
import ServiceLifecycle

/// The canonical IMS in this process: one SQLite file in WAL mode behind a `DatabasePool`,
/// so reads run beside the single writer; image bytes in files beside it.
public final class BundledBackend: Backend {
    let pool: DatabasePool
    let options: BundledOptions
    let files: FileStore
    let jobs: JobRunner
    let checkpointer: Checkpointer
    /// Dialect writes, committed in groups (see `GroupCommit`).
    let writes: GroupCommit
    /// Connections for reads by key (see `PointReaders`).
    let pointReaders: PointReaders

    /// Opens (creating if needed) the store at `path`, brings its schema up to date and seeds the
    /// catalogue and directory.
    public init(path: String, options: BundledOptions = BundledOptions()) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        pool = try Self.openPool(path: path)
        checkpointer = try Checkpointer(path: path, writer: pool)
        try StoreSchema.migrator.migrate(pool)
        try pool.write { db in
            try CatalogStore.seed(options.catalog, in: db)
            for user in options.users { try user.upsert(db) }
        }
        self.options = options
        writes = GroupCommit(pool: pool)
        pointReaders = try PointReaders(path: path, count: 4, pool: pool)
        files = try FileStore(root: directory.appendingPathComponent("files").path,
                              exportRoot: options.exportRoot ?? directory.appendingPathComponent("buckets").path)
        jobs = JobRunner(delay: .milliseconds(options.jobDelayMs))
        jobs.backend = self
    }

    /// The store's pool. A commit waits until its WAL frames are on disk (`synchronous = FULL`),
    /// so a write that is answered survives a power cut, not only a crash of the process; GRDB
    /// sets NORMAL for WAL, which syncs only at checkpoints. Group commit shares the sync among
    /// concurrent writes. Public so the storage benchmark's baseline opens the same.
    public static func openPool(path: String) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: config)
        // After the pool's own WAL set-up, which would undo it; only the writer commits.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }

    public var services: [any Service] { [jobs, checkpointer] }

    static let logger = Logger(label: "ims-gateway.store")

    /// The store answers and takes a write lock (a full disk or read-only file would refuse it).
    public func unreadiness() async -> String? {
        do {
            try await pool.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE; ROLLBACK") }
            return nil
        } catch {
            // /readyz is on the clients' port: the reason stays plain, SQLite's words go to the log.
            Self.logger.error("store not writable", metadata: ["error": .string("\(error)")])
            return "store not writable"
        }
    }

    public func execute(_ command: Command, as identity: Identity) async throws(CanonicalError) -> CommandResult {
        let result: CommandResult
        if command.isPointRead || command.isKeyedRead {
            result = try inline(isolated: command.isKeyedRead) { db in try self.run(command, as: identity, in: db) }
        } else if command.isReadOnly {
            result = try await access(write: false) { db in try self.run(command, as: identity, in: db) }
        } else {
            result = try await canonical { try await self.writes.write { db in try self.run(command, as: identity, in: db) } }
        }
        if command.leavesBackgroundWork { jobs.wake() }
        await removeFiles(after: command, result)
        return result
    }

    /// Deleted images' bytes go once the deletion is committed.
    func removeFiles(after command: Command, _ result: CommandResult) async {
        switch command {
        case .deleteImage, .batchDeleteImages: break
        default: return
        }
        switch result {
        case .image(let view): await files.remove([view.image.imageId])
        case .imagesDeleted(let imageIds): await files.remove(imageIds)
        default: break
        }
    }

    /// Runs a database access, turning store failures into canonical errors.
    func access<T: Sendable>(write: Bool, _ body: @escaping @Sendable (Database) throws -> T) async throws(CanonicalError) -> T {
        try await canonical { write ? try await self.pool.write(body) : try await self.pool.read(body) }
    }

    /// Store failures as canonical errors; a command's own canonical errors pass through.
    func canonical<T>(_ body: () async throws -> T) async throws(CanonicalError) -> T {
        do { return try await body() } catch { throw Self.canonical(error) }
    }

    static func canonical(_ error: any Error) -> CanonicalError {
        (error as? CanonicalError) ?? .internal("store: \(error)")
    }

    /// Runs a read by key on the calling thread. It costs a few microseconds; handing it to a
    /// reader's dispatch queue and resuming afterwards costs several thread switches more. A
    /// single statement reads one snapshot, so it needs no BEGIN/COMMIT; `isolated` adds them
    /// for reads of several statements.
    func inline<T>(isolated: Bool = false, _ body: (Database) throws -> T) throws(CanonicalError) -> T {
        do { return try pointReaders.read(isolated: isolated, body) } catch { throw Self.canonical(error) }
    }

    /// Runs one command inside an open database access (a transaction for writes), so a
    /// command and the job that records it commit together or not at all.
    func run(_ command: Command, as identity: Identity, in db: Database) throws -> CommandResult {
        let now = Date()
        switch command {
        case .createImage(let patch):
            return .image(try ImageStore.create(patch, as: identity, now: now, in: db))
        case .getImage(let selector):
            return .image(try ImageStore.find(selector, as: identity, in: db))
        case .listImages(let query):
            return .images(try ImageStore.list(query, as: identity, in: db))
        case .updateImage(let selector, let patch):
            return .image(try ImageStore.update(selector, patch, as: identity, now: now, in: db))
        case .deleteImage(let selector):
            return .image(try ImageStore.delete(selector, as: identity, in: db))
        case .batchDeleteImages(let refs):
            return .imagesDeleted(try ImageStore.batchDelete(refs, as: identity, in: db))
        case .captureImage(let instance, let patch):
            return .image(try ImageStore.capture(instance: instance, patch, as: identity, now: now, in: db))

        case .createApplication(let draft):
            return .application(try ApplicationStore.create(draft, as: identity, now: now, in: db))
        case .getApplication(let id):
            return .application(try ApplicationStore.find(id, as: identity, in: db))
        case .listApplications(let query):
            return .applications(try ApplicationStore.list(query, as: identity, in: db))
        case .updateApplication(let id, let patch):
            return .application(try ApplicationStore.update(id, patch, as: identity, now: now, in: db))
        case .deleteApplication(let id):
            return .application(try ApplicationStore.delete(id, as: identity, now: now, in: db))

        case .createInstance(let draft):
            return .instance(try InstanceStore.create(draft, flavors: options.flavors, as: identity, now: now, in: db))
        case .getInstance(let id):
            return .instance(try InstanceStore.view(try InstanceStore.find(id, as: identity, in: db), in: db))
        case .listInstances(let query):
            return .instances(try InstanceStore.list(query, as: identity, in: db))
        case .updateInstance(let id, let patch):
            return .instance(try InstanceStore.update(id, patch, as: identity, now: now, in: db))
        case .deleteInstances(let ids):
            return .instances(try InstanceStore.delete(ids, as: identity, now: now, in: db))
        case .addMembers(let instance, let users):
            return .users(try InstanceStore.addMembers(instance, users, as: identity, now: now, in: db))
        case .removeMembers(let instance, let users):
            return .users(try InstanceStore.removeMembers(instance, users, as: identity, in: db))
        case .listMembers(let instance, let window):
            return .users(try InstanceStore.members(instance, window, as: identity, in: db))

        case .prepareUpload(let selector, let size):
            return .uploadTicket(try FileRecords.prepare(selector, size: size, as: identity, now: now, in: db))
        case .finishUpload(let selector, let uploadId, let success):
            return .image(try FileRecords.finish(selector, uploadId: uploadId, success: success, as: identity, now: now, in: db))
        case .downloadImage(let selector):
            return .image(try ImageStore.find(selector, as: identity, in: db))
        case .shareImage(let selector, let users):
            return .shares(try ShareStore.share(selector, users, as: identity, now: now, in: db))
        case .unshareImage(let selector, let users):
            return .shares(try ShareStore.unshare(selector, users, as: identity, in: db))
        case .listShares(let selector, let offset, let limit):
            return .shares(try ShareStore.list(selector, offset: offset, limit: limit, as: identity, in: db))
        case .listReceivedShares(let offset, let limit, let newestFirst):
            return .shares(try ShareStore.received(offset: offset, limit: limit, newestFirst: newestFirst, as: identity, in: db))
        case .deleteShare(let shareId):
            return .shares(try ShareStore.delete(shareId, as: identity, in: db))
        case .copyShare(let shareId, let patch):
            let copy = try ShareStore.copy(shareId, patch, as: identity, now: now, in: db)
            try JobStore.enqueue(action: "CopyImage", resourceIds: [copy.image.image.imageId],
                                 command: .copyImageFile(from: copy.sourceImageId, to: copy.image.image.imageId),
                                 as: identity, now: now, in: db)
            return .image(copy.image)
        case .importImage(let patch, let url):
            // Refused before anything is stored; the job checks again, redirects included.
            if case .failure(let refusal) = options.importPolicy.check(url) { throw refusal }
            let image = try FileRecords.newImport(patch, url: url, as: identity, now: now, in: db)
            try JobStore.enqueue(action: "ImportImage", resourceIds: [image.image.imageId],
                                 command: .fetchImport(imageId: image.image.imageId, url: url), as: identity, now: now, in: db)
            return .image(image)
        case .listBuckets(let selector):
            _ = try ImageStore.find(selector, as: identity, in: db)
            return .buckets(options.buckets)
        case .exportImage(let selector, let bucket):
            let image = try FileRecords.exportable(selector, as: identity, in: db)
            guard options.buckets.contains(where: { $0.name == bucket }) else {
                throw CanonicalError.invalidParameter(field: "bucket", message: "is not a known bucket")
            }
            try JobStore.enqueue(action: "ExportImage", resourceIds: [image.image.imageId],
                                 command: .writeExport(imageId: image.image.imageId, bucket: bucket), as: identity, now: now, in: db)
            return .image(image)

        case .listCatalog(let query):
            return .catalogEntries(try CatalogStore.list(query, in: db))
        case .getCatalogEntry(let selector):
            return .catalogEntry(try CatalogStore.find(selector, in: db))
        case .createCatalogEntry(let kind, let patch):
            try CatalogStore.requireOperator(identity)
            return .catalogEntry(try CatalogStore.create(kind, patch, now: now, in: db))
        case .updateCatalogEntry(let selector, let patch):
            try CatalogStore.requireOperator(identity)
            return .catalogEntry(try CatalogStore.update(selector, patch, now: now, in: db))
        case .deleteCatalogEntry(let selector):
            try CatalogStore.requireOperator(identity)
            return .catalogEntry(try CatalogStore.delete(selector, in: db))

        case .getJob(let jobId):
            guard let job = try Job.fetchOne(db, key: jobId), identity.isOperator || job.owner == identity.tenant else {
                throw CanonicalError.notFound(kind: "job", id: jobId)
            }
            return .job(job)
        case .listJobs(let query):
            return .jobs(try JobStore.list(query, as: identity, in: db))
        case .asJob(let spec, let inner):
            return .job(try JobStore.submit(spec, inner, backend: self, as: identity, now: now, in: db))
        }
    }

    public func upload(imageId: String, token: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable)
        async throws(CanonicalError) -> UploadTicket
    {
        let ticket = try await access(write: true) { db in try FileRecords.beginUpload(imageId, token: token, now: Date(), in: db) }
        let measured: FileStore.Measured
        do {
            measured = try await files.store(body, as: imageId, limit: ticket.size)
        } catch let error as FileStore.TooLarge {
            _ = try? await access(write: true) { db in try FileRecords.failUpload(imageId, now: Date(), in: db) }
            throw .rejected(.sizeMismatch, "the upload is larger than the prepared \(error.limit) bytes")
        } catch {
            _ = try? await access(write: true) { db in try FileRecords.failUpload(imageId, now: Date(), in: db) }
            Self.logger.warning("upload broke off", metadata: ["image_id": .string(imageId), "error": .string("\(error)")])
            throw .rejected(.uploadFailed, "the upload broke off before all its bytes arrived")
        }
        try await access(write: true) { db in try FileRecords.endUpload(imageId, measured, now: Date(), in: db) }
        return ticket
    }

    public func download(_ selector: ImageSelector, as identity: Identity) async throws(CanonicalError) -> ImageDownload {
        let image = try await access(write: false) { db in try FileRecords.downloadable(selector, as: identity, in: db) }
        let files = self.files
        let imageId = image.imageId
        return ImageDownload(size: image.size, checksum: image.checksum) { emit in
            try await files.read(imageId, emit)
        }
    }
}

extension Command {
    var isReadOnly: Bool {
        switch self {
        case .getImage, .listImages, .getApplication, .listApplications, .getJob, .listJobs, .getInstance, .listInstances,
             .listMembers, .listShares, .listReceivedShares, .listBuckets, .downloadImage, .listCatalog, .getCatalogEntry:
            true
        default: false
        }
    }

    /// A read of one record by key in one statement: bounded work, run without a thread hop or
    /// a transaction (reads of several statements keep theirs, so they see one snapshot).
    var isPointRead: Bool {
        switch self {
        case .getImage, .getApplication, .getJob: true
        default: false
        }
    }

    /// A read of a few statements, each by key, so bounded too: it runs on the calling thread
    /// as well, in one read transaction. A list that names its images by reference (51idc's
    /// describe, `images=<id>,…`) is one; a list that counts a whole scope is not.
    var isKeyedRead: Bool {
        switch self {
        case .getInstance: true
        case .listImages(let query):
            !query.countsScope && query.searchWord == nil
                // `in` compares without collation, so it stays on the unique index (an `eq` is
                // case-insensitive and would scan).
                && query.filters.contains { ($0.field == .imageId || $0.field == .id) && $0.op == .in && $0.values.count <= 100 }
        default: false
        }
    }

    /// Whether running it leaves work for the job runner: a job, or a deleted image's name to
    /// take out of the name index.
    var leavesBackgroundWork: Bool {
        switch self {
        case .asJob, .copyShare, .importImage, .exportImage, .deleteImage, .batchDeleteImages: true
        default: false
        }
    }
}

extension CommandResult {
    /// The ids a job reports as its resources.
    var resourceIds: [String] {
        switch self {
        case .image(let v): [v.image.imageId]
        case .images(let page): page.items.map(\.image.imageId)
        case .imagesDeleted(let imageIds): imageIds
        case .application(let a): a.id.map { [String($0)] } ?? []
        case .instance(let v): v.instance.id.map { [String($0)] } ?? []
        case .instances(let page): page.items.compactMap { $0.instance.id.map(String.init) }
        default: []
        }
    }
}

/// Random lower-case identifiers (`img-` + 8 for images, as 51idc's clients expect).
public enum RandomID {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    public static func make(length: Int) -> String {
        String((0..<length).map { _ in alphabet.randomElement()! })
    }

    /// 24 hex digits, the shape of htaiyun's stack/server/flavour references.
    public static func hex24() -> String {
        String((0..<24).map { _ in "0123456789abcdef".randomElement()! })
    }
}
