import AsyncHTTPClient
import Foundation
@testable import IMSFiles
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreGlance

/// The Glance stores' factory: the PostgreSQL factory's stores (a schema of their own) with
/// images and bytes in the Glance of `IMS_GLANCE_URL` (scripts/glance); none unless both
/// `IMS_GLANCE_URL` and `IMS_PG_URL` are set.
extension StoreFactory {
    static var glance: [StoreFactory] {
        guard let url = ProcessInfo.processInfo.environment["IMS_GLANCE_URL"], let postgres = postgres.first else { return [] }
        return [StoreFactory(name: "glance") { directory, users, catalog in
            let index = try await postgres.make(directory, users, catalog)
            let staging = try LocalFileStore(root: directory.appendingPathComponent("staging").path,
                                             exportRoot: directory.appendingPathComponent("buckets").path)
            // One client for the test process: it lives as long as the stores it serves.
            let caller = GlanceCaller(userId: "ims-contract", projectId: "ims-contract", roles: ["admin", "member", "reader"])
            return GlanceBackend.glanceStores(over: index, url: url, http: HTTPClient.shared, projects: GlanceFields.Projects(),
                                              caller: caller, staging: staging,
                                              namespace: "contract-" + UUID().uuidString.lowercased()).0
        }]
    }
}

extension GlanceFields.Document {
    /// Whether Glance 33.0.0 refuses this document (400, so the image never reaches it and the
    /// gateway logs "Glance not kept in step"): a character outside the BMP (4 bytes in UTF-8) in
    /// any text value, or a `min_disk`/`min_ram` past a signed 32-bit integer.
    var refusedByGlance: Bool {
        let texts = Array(properties.values) + core.values.compactMap { if case .string(let text) = $0 { text } else { nil } }
        let numbers = core.values.compactMap { if case .int(let n) = $0 { n } else { nil } }
        return texts.contains { $0.unicodeScalars.contains { $0.value > 0xFFFF } } || numbers.contains { $0 > Int64(Int32.max) }
    }
}
