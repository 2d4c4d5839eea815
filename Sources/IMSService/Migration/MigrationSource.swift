import IMSModel
import NIOCore

/// Where a migration reads the records it copies (and `verify` reads them again): the stores a
/// gateway holds (`StoresSource`), or another gateway's export over its canonical API (a
/// `remote` legacy gateway). One small surface, so the copy, its checkpoints, its catch-up and
/// its verification are written once for both.
public protocol MigrationSource: Sendable {
    /// One page of a kind's records in a stable order (ids ascending where the store offers
    /// it), `offset` records in; fewer than `limit` means the kind has ended.
    func page(_ kind: Migration.Kind, offset: Int, limit: Int) async throws -> [Migration.Record]

    /// How many records of the kind there are.
    func count(_ kind: Migration.Kind) async throws -> Int

    /// An image's stored bytes, passed to `emit` chunk by chunk.
    func read(_ imageId: String, _ emit: ImageDownload.Emit) async throws

    /// Which of `refs` the source still holds, in their order.
    func holds(_ refs: [String]) async throws -> [Bool]
}
