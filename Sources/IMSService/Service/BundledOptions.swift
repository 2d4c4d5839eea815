import Foundation
import IMSModel

/// What a bundled store is seeded and set up with (from the deployment config).
public struct BundledOptions: Sendable {
    public var catalog: [CatalogEntry]
    public var users: [User]
    /// Platform flavour id per htaiyun flavour configuration (`LOWEST`…).
    public var flavors: [String: String]
    public var buckets: [Bucket]
    /// Folder with one sub-folder per bucket; `nil` puts it beside the database.
    public var exportRoot: String?
    public var jobDelayMs: Int
    /// Which URLs imports may fetch.
    public var importPolicy: ImportPolicy

    public init(catalog: [CatalogEntry] = [], users: [User] = [], flavors: [String: String] = [:],
                buckets: [Bucket] = [], exportRoot: String? = nil, jobDelayMs: Int = 0, importPolicy: ImportPolicy = ImportPolicy()) {
        self.importPolicy = importPolicy
        self.catalog = catalog
        self.users = users
        self.flavors = flavors
        self.buckets = buckets
        self.exportRoot = exportRoot
        self.jobDelayMs = jobDelayMs
    }
}
