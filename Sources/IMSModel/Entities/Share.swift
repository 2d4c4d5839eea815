import Foundation
import NIOCore

/// An image shared with one user (CECSTACK `share`): the user can see and copy it.
public struct ImageShare: Codable, Sendable, Equatable {
    public var id: Int64?
    public var shareId: String
    public var imageId: String
    public var userId: String
    public var createdAt: Date
    public var updatedAt: Date

    /// Memberwise, for the targets that make one.
    package init(id: Int64? = nil, shareId: String, imageId: String, userId: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.shareId = shareId
        self.imageId = imageId
        self.userId = userId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A share with what answers show beside it.
public struct ShareView: Codable, Sendable, Equatable {
    public var share: ImageShare
    public var userName: String?
    public var image: ImageView?

    public init(share: ImageShare, userName: String?, image: ImageView?) {
        self.share = share
        self.userName = userName
        self.image = image
    }
}

public struct SharePage: Codable, Sendable, Equatable {
    public var items: [ShareView]
    public var total: Int

    /// Memberwise, for the targets that make one.
    package init(items: [ShareView], total: Int) {
        self.items = items
        self.total = total
    }
}

/// Where a client puts an image's bytes (answer of upload-prepare).
public struct UploadTicket: Codable, Sendable, Equatable {
    public var imageId: String
    public var uploadId: String
    /// One-time secret the upload must present (and the S3 session token).
    public var token: String
    public var size: Int64
    /// The upload's S3 key pair (`accessKey`/`secretKey` of CECSTACK's prepare answer).
    public var accessKey = ""
    public var secretKey = ""

    /// Memberwise, for the targets that make one.
    package init(imageId: String, uploadId: String, token: String, size: Int64, accessKey: String = "", secretKey: String = "") {
        self.imageId = imageId
        self.uploadId = uploadId
        self.token = token
        self.size = size
        self.accessKey = accessKey
        self.secretKey = secretKey
    }
}

/// A named export target (CECSTACK's OSS bucket), backed by a directory.
public struct Bucket: Codable, Sendable, Equatable {
    public var name: String
    public var azId: String
    public var cellId: String

    public init(name: String, azId: String, cellId: String) {
        self.name = name
        self.azId = azId
        self.cellId = cellId
    }
}

/// The bytes of an image, as a backend hands them out: passed to `emit` chunk by chunk, each
/// chunk awaited before the next is read, so a multi-gigabyte image never sits in memory.
public struct ImageDownload: Sendable {
    public typealias Emit = (ByteBuffer) async throws -> Void
    public var size: Int64
    public var checksum: String
    public var write: @Sendable (_ emit: Emit) async throws -> Void

    public init(size: Int64, checksum: String, write: @escaping @Sendable (_ emit: Emit) async throws -> Void) {
        self.size = size
        self.checksum = checksum
        self.write = write
    }
}
