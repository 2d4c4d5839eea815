import Foundation
import IMSModel

// Values the store protocols speak in. The service decides every rule (who may see what, what
// is unique, what a batch may hold) and hands the stores these plain facts; see `Stores.swift`
// for the conventions every store follows.

/// Which image a lookup means: a row id or an `img-…` reference. The service picks: a ref that
/// parses as an integer is a row id. A reference matches `imageId` exactly (case-sensitive).
public enum ImageKey: Sendable, Hashable {
    case row(Int64)
    case ref(String)
}

/// Which images a read may see, as facts a store filters by: every image, or those meeting
/// any one of the terms, a term meeting every one of its facts. The service decides the reach
/// (the tenancy rule, `ImageReach.of(_:for:)`); a store only translates it.
public enum ImageReach: Sendable, Equatable {
    case all
    case anyOf([[ImageFact]])
}

/// One fact about an image that a reach is made of.
public enum ImageFact: Sendable, Equatable {
    /// `visibility == "public"`.
    case isPublic
    /// `visibility != "public"`.
    case notPublic
    /// `owner == tenant`.
    case ownedBy(String)
    /// An `imageShare` row with `userId == user` exists.
    case sharedWith(String)
}

/// What a batch reference resolved to (`ImageStore.resolve`): only what the batch rules need.
public struct ImageRefMatch: Sendable, Equatable {
    public var rowID: Int64
    public var imageId: String
    public var owner: String
    /// Whether any share of the image exists.
    public var isShared: Bool

    public init(rowID: Int64, imageId: String, owner: String, isShared: Bool) {
        self.rowID = rowID
        self.imageId = imageId
        self.owner = owner
        self.isShared = isShared
    }
}

/// A condition that keeps an image from being deleted. The service decides which hold
/// (`ImageDeletion`); the store checks it in the delete's own statement or transaction, so no
/// write between a check and the delete slips past it.
public enum ImageHold: Sendable, Hashable {
    /// A share of the image exists.
    case shared
}

/// A change of an image's state made by a job or an upload, written column by column so it
/// never overwrites a client's concurrent change of other fields. `nil` leaves a column as is.
public struct ImageStateChange: Sendable, Equatable {
    public var status: ImageStatus
    /// nil leaves it; a job that ends a transition (a capture) writes "".
    public var transitionStatus: String?
    public var errMessage: String?
    public var size: Int64?
    public var checksum: String?
    /// Written to `updatedAt`, and to `statusTime` when `touchesStatusTime`.
    public var at: Date
    public var touchesStatusTime = true

    public init(status: ImageStatus, transitionStatus: String? = nil, errMessage: String? = nil, size: Int64? = nil,
                checksum: String? = nil, at: Date, touchesStatusTime: Bool = true) {
        self.status = status
        self.transitionStatus = transitionStatus
        self.errMessage = errMessage
        self.size = size
        self.checksum = checksum
        self.at = at
        self.touchesStatusTime = touchesStatusTime
    }
}

/// What a write of bytes measured on the way.
public struct MeasuredBytes: Sendable, Equatable {
    public var size: Int64
    /// Lower-case hex MD5 of the bytes.
    public var md5: String

    public init(size: Int64, md5: String) {
        self.size = size
        self.md5 = md5
    }
}
