import Foundation
import IMSModel
import NIOCore

/// A migration's source in stores this gateway holds (SQLite, PostgreSQL, a composite): what
/// `migrate --from` reads for such a backend, and what the canonical API's export serves.
public struct StoresSource: MigrationSource {
    public let stores: Stores

    public init(_ stores: Stores) { self.stores = stores }

    public func page(_ kind: Migration.Kind, offset: Int, limit: Int) async throws -> [Migration.Record] {
        switch kind {
        case .directory:
            // The config's users, a handful: read whole, paged here.
            let users = try await stores.directory.users(after: .min, limit: .max)
            return users.dropFirst(offset).prefix(limit).map(Migration.Record.user)
        case .catalogue:
            // The kinds of entry one after another, as one sequence.
            var skip = offset
            var found: [Migration.Record] = []
            for entryKind in CatalogEntry.Kind.allCases where found.count < limit {
                let total = try await stores.catalogue.entries(CatalogQuery(kind: entryKind, offset: 0, limit: 0)).total
                if skip >= total {
                    skip -= total
                    continue
                }
                let page = try await stores.catalogue.entries(CatalogQuery(kind: entryKind, offset: skip, limit: limit - found.count))
                found += page.items.map(Migration.Record.entry)
                skip = 0
            }
            return found
        case .images:
            var records: [Migration.Record] = []
            for view in try await stores.images.images(ImageQuery(sort: [SortKey(.id)], offset: offset, limit: limit), reach: .all).items {
                records.append(try await record(of: view.image))
            }
            return records
        case .applications:
            return try await stores.applications.applications(ListWindow(order: .created, ascending: true, offset: offset, limit: limit), owner: nil)
                .items.map(Migration.Record.application)
        case .instances:
            var records: [Migration.Record] = []
            for view in try await stores.instances.instances(InstanceQuery(window: ListWindow(order: .created, ascending: true, offset: offset, limit: limit)), owner: nil).items {
                records.append(.instance(view.instance, members: try await members(of: view.instance.id ?? 0)))
            }
            return records
        case .shares:
            return try await stores.shares.received(by: nil, offset: offset, limit: limit, newestFirst: false).items.map { .share($0.share) }
        case .jobs:
            return try await stores.jobs.jobs(JobQuery(offset: offset, limit: min(limit, JobQuery.maxLimit)), owner: nil).items.map(Migration.Record.job)
        }
    }

    public func count(_ kind: Migration.Kind) async throws -> Int {
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

    public func read(_ imageId: String, _ emit: ImageDownload.Emit) async throws {
        try await stores.bytes.read(imageId, range: nil, emit)
    }

    public func holds(_ refs: [String]) async throws -> [Bool] {
        try await stores.images.resolve(refs, reach: .all).map { $0 != nil }
    }

    /// An image as a migration copies it: with its bytes' record when they are complete (an
    /// upload still open is its client's to start again, so it is not copied).
    public func record(of image: Image) async throws -> Migration.Record {
        let file = try await stores.uploads.file(image.imageId)
        return .image(image, file: file.flatMap { $0.complete ? $0 : nil })
    }

    /// Every member of an instance, by user id.
    func members(of instance: Int64) async throws -> [Int64] {
        var ids: [Int64] = []
        while true {
            let page = try await stores.instances.members(instance, ListWindow(offset: ids.count, limit: 500))
            ids += page.items.map(\.id)
            if page.items.count < 500 { return ids }
        }
    }
}
