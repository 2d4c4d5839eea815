import Foundation
import IMSModel

/// Copies every record of one backend's stores into another's, ids preserved, so legacy
/// clients keep their references (DESIGN §7): the directory, the catalogue, images with their bytes,
/// applications, instances with their members, shares, and jobs that have finished.
///
/// Reads its source through `MigrationSource` (stores this gateway holds, or a `remote`
/// gateway's export) and writes over the store protocols, so it copies from any backend into
/// any stores (SQLite and PostgreSQL either way, another gateway onto either). Each record is looked up in the target first: one already there is
/// skipped (a rerun after a kill copies nothing twice), or brought up to date when the source's
/// is newer (never the other way: a write a shadow mirrored while the copy ran is kept).
public struct Migration: Sendable {
    public enum Kind: String, CaseIterable, Codable, Sendable {
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

    public let source: any MigrationSource
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

    public init(source: any MigrationSource, target: Stores, checkpoint: String, dryRun: Bool = false) {
        self.source = source
        self.target = target
        checkpointPath = checkpoint
        self.dryRun = dryRun
        copiedImages = CopiedImages(path: checkpoint + ".images")
    }

    /// For copying single records (`copy(_:)`), with no checkpoint.
    init(copyingFrom source: Stores, to target: Stores) {
        self.source = StoresSource(source)
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
                let total = try await source.count(kind)
                let totalBytes = kind == .images && !catchUp ? try await sourceBytes() : 0
                while true {
                    let records = try await source.page(kind, offset: place.scanned, limit: batch)
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
            let atSource = try await source.holds(chunk)
            let atTarget = try await target.images.resolve(chunk, reach: .all)
            for (index, ref) in chunk.enumerated() where !atSource[index] && atTarget[index] != nil { gone.append(ref) }
        }
        guard !gone.isEmpty else { return 0 }
        _ = try await target.images.deleteAll(gone, unless: [])
        await target.bytes.remove(gone)
        return gone.count
    }

    /// The bytes the source's images hold, for the progress bar's total.
    func sourceBytes() async throws -> Int64 {
        var total: Int64 = 0
        var offset = 0
        while true {
            let page = try await source.page(.images, offset: offset, limit: 500)
            for case .image(let image, let file) in page where image.status == .active { total += file?.size ?? 0 }
            offset += page.count
            if page.count < 500 { return total }
        }
    }
}
