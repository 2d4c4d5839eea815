import Crypto
import Foundation
import IMSModel

/// Copies every record of one backend's stores into another's, ids preserved, so legacy
/// clients keep their references (DESIGN §7): the directory, the catalogue, images with their bytes,
/// applications, instances with their members, shares, and jobs that have finished.
///
/// Written once over the store protocols, so it copies between any two stores (SQLite and
/// PostgreSQL either way). Each record is looked up in the target first: one already there is
/// skipped (a rerun after a kill copies nothing twice), or brought up to date when the source's
/// is newer (never the other way: a write a shadow mirrored while the copy ran is kept).
public struct Migration: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case directory, catalogue, images, applications, instances, shares, jobs
    }

    /// Where a kind has got to, for a progress bar or a JSON line.
    public struct Progress: Sendable {
        public var kind: Kind
        /// The second pass, which brings over what changed while the first ran.
        public var catchUp: Bool
        public var scanned: Int
        public var total: Int
        public var copied: Int
        public var bytes: Int64
        public var totalBytes: Int64
    }

    public let source: Stores
    public let target: Stores
    public let checkpointPath: String
    public let dryRun: Bool
    public var batch = 100
    /// Called after each batch, once it is checkpointed; throwing stops the copy there (a
    /// rerun resumes from that checkpoint).
    public var progress: @Sendable (Progress) throws -> Void = { _ in }

    /// The images this migration inserted (beside the checkpoint), so the catch-up pass can
    /// remove those deleted at the source after they were copied, and only those.
    /// (`nil`: a copy of single records, as a shadow hands its secondary an import's outcome.)
    let copiedImages: CopiedImages?

    public init(source: Stores, target: Stores, checkpoint: String, dryRun: Bool = false) {
        self.source = source
        self.target = target
        checkpointPath = checkpoint
        self.dryRun = dryRun
        copiedImages = CopiedImages(path: checkpoint + ".images")
    }

    /// For copying single records (`copy(_:)`), with no checkpoint.
    init(copyingFrom source: Stores, to target: Stores) {
        self.source = source
        self.target = target
        checkpointPath = ""
        dryRun = false
        copiedImages = nil
    }

    /// Runs (or resumes) the copy, then a catch-up pass: whatever changed at the source while
    /// the copy ran (a job that finished, an image a client changed before its copy landed
    /// and whose mirrored write the secondary could not apply yet) is brought over, so a store
    /// copied under a shadow ends equal to its source. A dry run reads both sides and counts
    /// what it would copy.
    public func run(from: String, to: String) async throws -> MigrationCheckpoint {
        var checkpoint = dryRun ? MigrationCheckpoint(from: from, to: to) : try MigrationCheckpoint.load(checkpointPath, from: from, to: to)
        for catchUp in dryRun ? [false] : [false, true] {
            for kind in Kind.allCases {
                let key = catchUp ? "catch-up " + kind.rawValue : kind.rawValue
                var place = checkpoint.kinds[key] ?? MigrationCheckpoint.Place()
                guard !place.finished else { continue }
                let total = try await count(kind, in: source)
                let totalBytes = kind == .images && !catchUp ? try await sourceBytes() : 0
                while true {
                    let records = try await page(kind, offset: place.scanned)
                    for record in records {
                        let (copied, bytes) = try await copy(record)
                        if copied { place.copied += 1 } else { place.skipped += 1 }
                        place.bytes += bytes
                    }
                    place.scanned += records.count
                    if records.count < batch { place.finished = true }
                    checkpoint.kinds[key] = place
                    if !dryRun { try checkpoint.save(checkpointPath) }
                    try progress(Progress(kind: kind, catchUp: catchUp, scanned: place.scanned, total: total, copied: place.copied,
                                          bytes: place.bytes, totalBytes: totalBytes))
                    if place.finished { break }
                }
            }
        }
        if !dryRun, checkpoint.kinds["catch-up removed"] == nil {
            var removed = MigrationCheckpoint.Place()
            removed.copied = try await removeDeletedAtSource()
            removed.finished = true
            checkpoint.kinds["catch-up removed"] = removed
            try checkpoint.save(checkpointPath)
        }
        return checkpoint
    }

    /// Images this migration copied that the source no longer has: a client deleted them while
    /// the copy ran, and the shadow's mirrored delete reached the target before the copy did.
    func removeDeletedAtSource() async throws -> Int {
        let copied = try copiedImages?.all() ?? []
        guard !copied.isEmpty else { return 0 }
        var gone: [String] = []
        for chunk in stride(from: 0, to: copied.count, by: 100).map({ Array(copied[$0..<min($0 + 100, copied.count)]) }) {
            let atSource = try await source.images.resolve(chunk, reach: .all)
            let atTarget = try await target.images.resolve(chunk, reach: .all)
            for (index, ref) in chunk.enumerated() where atSource[index] == nil && atTarget[index] != nil { gone.append(ref) }
        }
        guard !gone.isEmpty else { return 0 }
        _ = try await target.images.deleteAll(gone, unless: [])
        await target.bytes.remove(gone)
        return gone.count
    }

    // MARK: reading the source

    enum Record: Sendable {
        case user(User)
        case entry(CatalogEntry)
        case image(Image)
        case application(ImageApplication)
        case instance(ApplicationInstance)
        case share(ImageShare)
        case job(Job)
    }

    func page(_ kind: Kind, offset: Int) async throws -> [Record] {
        try await Self.page(kind, of: source, offset: offset, limit: batch)
    }

    /// One page of a kind's records in a stable order (ids ascending where the store offers it).
    static func page(_ kind: Kind, of stores: Stores, offset: Int, limit: Int) async throws -> [Record] {
        switch kind {
        case .directory:
            // The config's users, a handful: read whole, paged here.
            let users = try await stores.directory.users(after: .min, limit: .max)
            return users.dropFirst(offset).prefix(limit).map(Record.user)
        case .catalogue:
            // The kinds of entry one after another, as one sequence.
            var skip = offset
            var found: [Record] = []
            for entryKind in CatalogEntry.Kind.allCases where found.count < limit {
                let total = try await stores.catalogue.entries(CatalogQuery(kind: entryKind, offset: 0, limit: 0)).total
                if skip >= total {
                    skip -= total
                    continue
                }
                let page = try await stores.catalogue.entries(CatalogQuery(kind: entryKind, offset: skip, limit: limit - found.count))
                found += page.items.map(Record.entry)
                skip = 0
            }
            return found
        case .images:
            return try await stores.images.images(ImageQuery(sort: [SortKey(.id)], offset: offset, limit: limit), reach: .all)
                .items.map { .image($0.image) }
        case .applications:
            return try await stores.applications.applications(ListWindow(order: .created, ascending: true, offset: offset, limit: limit), owner: nil)
                .items.map(Record.application)
        case .instances:
            return try await stores.instances.instances(InstanceQuery(window: ListWindow(order: .created, ascending: true, offset: offset, limit: limit)), owner: nil)
                .items.map { .instance($0.instance) }
        case .shares:
            return try await stores.shares.received(by: nil, offset: offset, limit: limit, newestFirst: false).items.map { .share($0.share) }
        case .jobs:
            return try await stores.jobs.jobs(JobQuery(offset: offset, limit: min(limit, JobQuery.maxLimit)), owner: nil).items.map(Record.job)
        }
    }

    static func count(_ kind: Kind, in stores: Stores) async throws -> Int {
        switch kind {
        case .directory: return try await stores.directory.users(after: .min, limit: .max).count
        case .catalogue:
            var total = 0
            for entryKind in CatalogEntry.Kind.allCases {
                total += try await stores.catalogue.entries(CatalogQuery(kind: entryKind, offset: 0, limit: 0)).total
            }
            return total
        case .images: return try await stores.images.images(ImageQuery(offset: 0, limit: 0), reach: .all).total
        case .applications: return try await stores.applications.applications(ListWindow(offset: 0, limit: 0), owner: nil).total
        case .instances: return try await stores.instances.instances(InstanceQuery(window: ListWindow(offset: 0, limit: 0)), owner: nil).total
        case .shares: return try await stores.shares.received(by: nil, offset: 0, limit: 0, newestFirst: false).total
        case .jobs: return try await stores.jobs.jobs(JobQuery(offset: 0, limit: 0), owner: nil).total
        }
    }

    func count(_ kind: Kind, in stores: Stores) async throws -> Int { try await Self.count(kind, in: stores) }

    /// The bytes the source's images hold, for the progress bar's total.
    func sourceBytes() async throws -> Int64 {
        var total: Int64 = 0
        var offset = 0
        while true {
            let page = try await source.images.images(ImageQuery(sort: [SortKey(.id)], offset: offset, limit: 500), reach: .all)
            total += page.items.reduce(0) { $0 + ($1.image.status == .active ? $1.image.size : 0) }
            offset += page.items.count
            if page.items.count < 500 { return total }
        }
    }

    // MARK: writing the target

    /// Copies one record unless the target has it (or a newer state of it); answers whether it
    /// wrote anything and how many bytes it copied.
    func copy(_ record: Record) async throws -> (Bool, Int64) {
        switch record {
        case .user(let user):
            // The directory is seeded from the config in both stores, each at its own time:
            // the source's record (its times) is the one clients have seen.
            guard try await target.directory.user(user.id) != user else { return (false, 0) }
            if !dryRun { try await target.directory.put([user]) }
            return (true, 0)
        case .entry(let entry):
            guard let there = try await target.catalogue.entry(entry.kind, id: entry.id) else {
                if !dryRun { _ = try await target.catalogue.insert(entry, unique: []) }
                return (true, 0)
            }
            // Both stores seed the catalogue from the config, each at its own time: an entry
            // the target has never changed since it was made takes the source's values; one
            // changed since (a write a shadow mirrored) is newer, and kept.
            let untouched = there.updatedAt == there.createdAt
            guard there != entry, untouched || there.updatedAt < entry.updatedAt else { return (false, 0) }
            if !dryRun { _ = try await target.catalogue.update(entry, unique: []) }
            return (true, 0)
        case .image(let image):
            var wrote = false
            if let there = try await target.images.image(.row(image.id ?? 0), reach: .all, within: []) {
                if there.image.updatedAt < image.updatedAt {
                    if !dryRun { _ = try await target.images.update(image, fields: Set(ImageField.allCases), unique: []) }
                    wrote = true
                }
            } else {
                if !dryRun {
                    _ = try await target.images.insert(image, job: nil, unique: [])
                    try copiedImages?.note(image.imageId)
                }
                wrote = true
            }
            let bytes = try await copyBytes(of: image)
            return (wrote || bytes > 0, bytes)
        case .application(let application):
            guard let id = application.id else { return (false, 0) }
            guard let there = try await target.applications.application(id) else {
                if !dryRun { _ = try await target.applications.insert(application, nameHeldBy: []) }
                return (true, 0)
            }
            guard there.updatedAt < application.updatedAt else { return (false, 0) }
            if !dryRun { _ = try await target.applications.update(application, whileStatus: there.status, nameHeldBy: []) }
            return (true, 0)
        case .instance(let instance):
            guard let id = instance.id else { return (false, 0) }
            var wrote = false
            if let there = try await target.instances.instance(id) {
                if there.instance.updatedAt < instance.updatedAt {
                    if !dryRun { _ = try await target.instances.update(instance) }
                    wrote = true
                }
            } else {
                if !dryRun { _ = try await target.instances.insert(instance) }
                wrote = true
            }
            let members = try await Self.members(of: id, in: source)
            let present = dryRun && wrote ? [] : try await Self.members(of: id, in: target)
            let missing = members.filter { !present.contains($0) }
            if !missing.isEmpty {
                if !dryRun { try await target.instances.addMembers(id, missing, at: instance.updatedAt) }
                wrote = true
            }
            return (wrote, 0)
        case .share(let share):
            guard try await target.shares.share(share.shareId) == nil else { return (false, 0) }
            if !dryRun { _ = try await target.shares.insert([share]) }
            return (true, 0)
        case .job(let job):
            // A job still running is the source's to finish; a rerun copies it once it has.
            guard job.status == .successful || job.status == .failed, try await target.jobs.job(job.jobId) == nil else { return (false, 0) }
            if !dryRun { try await target.jobs.enqueue(job) }
            return (true, 0)
        }
    }

    static func members(of instance: Int64, in stores: Stores) async throws -> [Int64] {
        var ids: [Int64] = []
        while true {
            let page = try await stores.instances.members(instance, ListWindow(offset: ids.count, limit: 500))
            ids += page.items.map(\.id)
            if page.items.count < 500 { return ids }
        }
    }

    /// Streams an active image's bytes from the source's file store into the target's, unless
    /// the target holds them already; checks the copy's MD5 against the source's record.
    func copyBytes(of image: Image) async throws -> Int64 {
        guard image.status == .active, let file = try await source.uploads.file(image.imageId), file.complete else { return 0 }
        if let there = try await target.uploads.file(image.imageId), there.complete, there.md5 == file.md5, there.size == file.size {
            return 0
        }
        if dryRun { return file.size }
        let chunks = ChunkChannel(whenFull: .wait)
        let reader = source.bytes
        async let read: Void = {
            do {
                try await reader.read(image.imageId, range: nil) { try await chunks.send($0) }
                chunks.finish()
            } catch {
                chunks.finish(error)
            }
        }()
        let measured: MeasuredBytes
        do {
            measured = try await target.bytes.store(chunks, as: image.imageId, limit: .max)
        } catch {
            chunks.cancel()
            try? await read
            throw error
        }
        try await read
        guard measured.md5 == file.md5, measured.size == file.size else {
            throw MigrationError("image \(image.imageId): copied \(measured.size) bytes with MD5 \(measured.md5), the source holds \(file.size) with \(file.md5)")
        }
        try await target.uploads.completeFile(image.imageId, measured, at: file.updatedAt)
        return measured.size
    }
}
