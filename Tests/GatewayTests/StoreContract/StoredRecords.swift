import Foundation
@testable import IMSModel
@testable import IMSService
import Testing

/// Every record a store holds, read through the store protocols in a fixed order: two stores
/// that were handed the same commands and values must hold equal ones (DESIGN §6), every
/// column included (an image's row id, times, refs; a share's row id; a job's work).
struct StoredRecords: Codable, Equatable {
    var images: [ImageView] = []
    /// Each image's upload record, in `images` order.
    var files: [ImageFile?] = []
    var shares: [ShareView] = []
    var jobs: [Job] = []
    var applications: [ImageApplication] = []
    var instances: [InstanceView] = []
    /// Each instance's members, in `instances` order.
    var members: [[User]] = []
    var catalogue: [CatalogEntry] = []

    static let all = 100_000

    static func read(_ stores: Stores) async throws -> StoredRecords {
        var records = StoredRecords()
        records.images = try await stores.images.images(ImageQuery(sort: [SortKey(.id)], limit: all), reach: .all).items
        for view in records.images { records.files.append(try await stores.uploads.file(view.image.imageId)) }
        records.shares = try await stores.shares.received(by: nil, offset: 0, limit: all, newestFirst: false).items
        records.jobs = try await stores.jobs.jobs(JobQuery(limit: all), owner: nil).items
        let everything = ListWindow(order: .created, ascending: true, limit: all)
        records.applications = try await stores.applications.applications(everything, owner: nil).items
        records.instances = try await stores.instances.instances(InstanceQuery(window: everything), owner: nil).items
        for view in records.instances {
            records.members.append(try await stores.instances.members(try #require(view.instance.id), ListWindow(limit: all)).items)
        }
        for kind in CatalogEntry.Kind.allCases {
            records.catalogue += try await stores.catalogue.entries(CatalogQuery(kind: kind, sort: [.id])).items
        }
        return records
    }
}
