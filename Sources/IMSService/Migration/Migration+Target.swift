import Foundation
import IMSModel

/// Writing a record into the target unless it holds it (or a newer state of it), bytes included.
extension Migration {
    /// Copies one record unless the target has it (or a newer state of it); answers whether it
    /// wrote anything and how many bytes it copied.
    func copy(_ record: Record) async throws -> (Bool, Int64) {
        do {
            return try await copyOnce(record)
        } catch let error as CanonicalError where error.kind == "conflict" {
            // A shadow mirrored the same record (the primary's id) between the look and the
            // insert: it is there now, and the second look copies over it only if ours is newer.
            return try await copyOnce(record)
        }
    }

    private func copyOnce(_ record: Record) async throws -> (Bool, Int64) {
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
        case .image(let image, let file):
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
            let bytes = try await copyBytes(of: image, file: file)
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
        case .instance(let instance, let members):
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
            let present = dryRun && wrote ? [] : try await StoresSource(target).members(of: id)
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

    /// Streams an active image's bytes from the source into the target's file store, unless
    /// the target holds them already; checks the copy's MD5 against the source's record.
    func copyBytes(of image: Image, file: ImageFile?) async throws -> Int64 {
        guard image.status == .active, let file, file.complete else { return 0 }
        if let there = try await target.uploads.file(image.imageId), there.complete, there.md5 == file.md5, there.size == file.size {
            return 0
        }
        if dryRun { return file.size }
        let chunks = ChunkChannel(whenFull: .wait)
        let reader = source
        async let read: Void = {
            do {
                try await reader.read(image.imageId) { try await chunks.send($0) }
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
            await read
            throw error
        }
        await read
        guard measured.md5 == file.md5, measured.size == file.size else {
            throw MigrationError("image \(image.imageId): copied \(measured.size) bytes with MD5 \(measured.md5), the source holds \(file.size) with \(file.md5)")
        }
        try await target.uploads.completeFile(image.imageId, measured, at: file.updatedAt)
        return measured.size
    }
}
