import IMSModel
import NIOCore

/// Image bytes, one object per image id. Every path streams: bytes are written as they arrive
/// and read chunk by chunk, never collected. `LocalFileStore` keeps them in a directory, which
/// several gateways may share (a network file system) so each can stream any image's bytes.
public protocol FileStore: Sendable {
    /// Writes the image's bytes from `body`, measuring size and MD5. Past `limit` bytes it stops
    /// reading and throws `FileTooLarge`, keeping nothing; any failure keeps nothing,
    /// and a complete write replaces the image's previous bytes at once (readers see old or new).
    func store<S: AsyncSequence>(_ body: S, as imageId: String, limit: Int64) async throws -> MeasuredBytes
        where S.Element == ByteBuffer

    /// The image's bytes (`range` inclusive, nil for all), passed to `emit` chunk by chunk.
    func read(_ imageId: String, range: ClosedRange<Int64>?, _ emit: ImageDownload.Emit) async throws

    /// A copy of one image's bytes as another's.
    func copy(from source: String, to target: String) async throws -> MeasuredBytes

    /// Fetches `url` (if `policy` allows it, redirects included) as the image's bytes.
    func fetch(_ url: String, allowedBy policy: ImportPolicy, as imageId: String) async throws -> MeasuredBytes

    /// Writes the image's bytes into a bucket as `<imageId>.<format>`; answers where.
    func export(_ imageId: String, format: String, bucket: String) async throws -> String

    /// Removes images' bytes (and any upload parts); missing ones are no error.
    func remove(_ imageIds: [String]) async

    /// One part of a multipart upload, bounded by `limit` like `store`.
    func storePart<S: AsyncSequence>(_ body: S, imageId: String, uploadId: String, number: Int, limit: Int64) async throws
        -> MeasuredBytes where S.Element == ByteBuffer

    /// Joins the parts `numbers` (in order) as the image's bytes.
    func assemble(_ imageId: String, uploadId: String, numbers: [Int]) async throws -> MeasuredBytes

    func removePart(_ imageId: String, uploadId: String, number: Int) async

    /// Removes one multipart upload's parts, or (`uploadId` nil) every upload's of the image.
    func removeParts(_ imageId: String, uploadId: String?) async

    /// Why the store cannot take bytes now (its disk full), or nil.
    func unreadiness() async -> String?
}

extension FileStore {
    public func unreadiness() async -> String? { nil }
}

/// A write found no room left on the store's disk (ENOSPC, or a quota's EDQUOT); nothing of it
/// was kept.
package struct NoSpaceLeft: Error {
    package init() {}
}

/// More bytes arrived than a `FileStore` write's `limit` (the size its upload was prepared
/// for); nothing was kept.
package struct FileTooLarge: Error {
    package var limit: Int64

    package init(limit: Int64) { self.limit = limit }
}

/// Why a `FileStore` fetch of an import's URL gave no bytes (the URL's answer, too many
/// redirects), as the import's job reports it.
package struct ImportFetchError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) { self.description = description }
}
