import Foundation
@testable import IMSFiles
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreSQLite

/// One store implementation the contract suite runs against, each test on fresh storage of
/// its own. SQLite always; PostgreSQL when `IMS_PG_URL` names a server (`StoreFactory+Postgres`).
struct StoreFactory: Sendable, CustomStringConvertible {
    let name: String
    /// Fresh, empty stores seeded with `users` and `catalog`, in (or named after) `directory`.
    let make: @Sendable (_ directory: URL, _ users: [User], _ catalog: [CatalogEntry]) async throws -> Stores

    var description: String { name }

    static let all: [StoreFactory] = [.sqlite] + postgres + glance

    static let sqlite = StoreFactory(name: "sqlite") { directory, users, catalog in
        let store = try SQLiteStore(path: directory.appendingPathComponent("ims.sqlite").path)
        try await store.seed(users)
        try await store.seed(catalog)
        let files = try LocalFileStore(root: directory.appendingPathComponent("files").path,
                                       exportRoot: directory.appendingPathComponent("buckets").path)
        return Stores(store, bytes: files)
    }
}

/// A contract test's stores, on a temporary directory of its own, removed afterwards.
struct ContractStores {
    static let epoch = Date(timeIntervalSince1970: 1_764_000_000)

    /// The seeds' people: htaiyun's instance owners, CECSTACK's share recipients.
    static let users = [
        User(id: 1, username: "zhangsan", name: "Zhang San", tenant: "acme", now: epoch),
        User(id: 2, username: "lisi", name: "Li Si", tenant: "acme", now: epoch),
        User(id: 3, username: "wangwu", name: "Wang Wu", tenant: "globex", now: epoch),
    ]

    /// Foreman's catalogue as the seeds use it.
    static let catalog = [
        CatalogEntry(kind: .computeResource, id: 1, name: "libvirt", now: epoch),
        CatalogEntry(kind: .operatingsystem, id: 1, name: "CentOS", major: "7", now: epoch),
        CatalogEntry(kind: .operatingsystem, id: 2, name: "CentOS", major: "9", now: epoch),
        CatalogEntry(kind: .architecture, id: 1, name: "x86_64", now: epoch),
    ]

    static func with<T>(_ factory: StoreFactory, _ body: (Stores) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ims-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(try await factory.make(directory, users, catalog))
    }

    /// An image as the service would mint it.
    static func image(_ name: String, owner: String = "acme", visibility: Visibility = .private, ref: String? = nil,
                      computeResource: Int64? = nil, os: Int64? = nil, uuid: String = "", at: Date = epoch) -> Image {
        var image = Image(imageId: ref ?? "img-" + RandomID.make(length: 8), name: name, now: at)
        image.owner = owner
        image.visibility = visibility
        image.computeResourceId = computeResource
        image.operatingsystemId = os
        image.uuid = uuid
        return image
    }
}
