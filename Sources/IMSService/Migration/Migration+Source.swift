import Foundation
import IMSModel

/// Reading a backend's records kind by kind, in a stable order, and counting them.
extension Migration {
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
}
