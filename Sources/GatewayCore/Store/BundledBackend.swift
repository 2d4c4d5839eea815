import Foundation
import GRDB

/// The canonical IMS in this process: one SQLite file in WAL mode behind a `DatabasePool`,
/// so reads run beside the single writer.
public final class BundledBackend: Backend {
    let pool: DatabasePool

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    public init(path: String, catalog: [CatalogEntry] = []) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = Configuration()
        config.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: config)
        try StoreSchema.migrator.migrate(pool)
        try pool.write { db in
            for entry in catalog { try entry.upsert(db) }
        }
    }

    public func execute(_ command: Command, as identity: Identity) async throws(CanonicalError) -> CommandResult {
        do {
            if command.isReadOnly {
                return try await pool.read { db in try self.run(command, as: identity, in: db) }
            }
            return try await pool.write { db in try self.run(command, as: identity, in: db) }
        } catch let error as CanonicalError {
            throw error
        } catch {
            throw .internal("store: \(error)")
        }
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
        case .getJob(let jobId):
            guard let job = try Job.fetchOne(db, key: jobId), identity.isOperator || job.owner == identity.tenant else {
                throw CanonicalError.notFound(kind: "job", id: jobId)
            }
            return .job(job)
        case .asJob(let spec, let inner):
            let result = try run(inner, as: identity, in: db)
            let job = Job(jobId: "j-" + RandomID.make(length: 8), action: spec.action, status: .successful,
                          zone: spec.zone, requestId: spec.requestId, resourceIds: result.resourceIds,
                          owner: identity.tenant, createdAt: now, beganAt: now, finishedAt: now)
            try job.insert(db)
            return .job(job)
        }
    }
}

extension Command {
    var isReadOnly: Bool {
        switch self {
        case .getImage, .listImages, .getApplication, .listApplications, .getJob: true
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
        case .imagesDeleted(let views): views.map(\.image.imageId)
        case .application(let a): a.id.map { [String($0)] } ?? []
        case .applications(let page): page.items.compactMap { $0.id.map(String.init) }
        case .job(let job): [job.jobId]
        }
    }
}

/// Random lower-case identifiers (`img-` + 8 for images, as 51idc's clients expect).
public enum RandomID {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    public static func make(length: Int) -> String {
        String((0..<length).map { _ in alphabet.randomElement()! })
    }
}
